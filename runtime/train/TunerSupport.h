//===- TunerSupport.h - What both ways of running trials share --*- C++ -*-===//

#ifndef KILN_TRAIN_TUNERSUPPORT_H
#define KILN_TRAIN_TUNERSUPPORT_H

#include "kiln/train/Tuner.h"

#include <nlohmann/json.hpp>

namespace kiln::train {

/// The trials' settings: the grid, or `random` draws.
bool trialSettings(const SearchRequest &request,
                   std::vector<TrialSettings> &settings, std::string &error);
/// The numbers among `object`'s members, keys without `prefix` (members
/// without it are left out).
std::map<std::string, double> numbersOf(const nlohmann::json &object,
                                        const std::string &prefix = "");
/// Sets a finished trial's score (choosing the metric from the first
/// trial that has scores) and records its score names.
void scoreTrial(Trial &trial, TuneResult &result);
void rankTrials(TuneResult &result);
/// Ranks, writes trials.csv, and fails when no trial has a score.
bool finishSearch(const SearchRequest &request, TuneResult &result,
                  std::string &error);
/// Renames the best trial's checkpoint to `out`/best.ckpt and removes the
/// others.
bool keepBestCheckpoint(const std::string &out, const TuneResult &result,
                        std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_TUNERSUPPORT_H
