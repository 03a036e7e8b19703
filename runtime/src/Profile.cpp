//===- Profile.cpp - Where an entry's time goes ---------------------------===//

#include "kiln/runtime/Profile.h"

#include <algorithm>

using namespace kiln::rt;

static thread_local Profile *installedProfile = nullptr;

void Profile::recordLoop(const char *site, double seconds) {
  Site &entry = bySite_[site];
  if (entry.name.empty())
    entry.name = site;
  ++entry.calls;
  entry.seconds += seconds;
}

void Profile::recordRun(double seconds) {
  ++runs_;
  runSeconds_ += seconds;
}

std::vector<Profile::Site> Profile::sites() const {
  // Two loops can share a name (one source op lowered into several loops of
  // the same kind); the reader wants them as one line.
  std::unordered_map<std::string, Site> byName;
  for (const auto &[key, site] : bySite_) {
    Site &merged = byName[site.name];
    merged.name = site.name;
    merged.calls += site.calls;
    merged.seconds += site.seconds;
  }
  std::vector<Site> sorted;
  for (auto &[name, site] : byName)
    sorted.push_back(std::move(site));
  std::sort(sorted.begin(), sorted.end(), [](const Site &a, const Site &b) {
    return a.seconds != b.seconds ? a.seconds > b.seconds : a.name < b.name;
  });
  return sorted;
}

ScopedProfile::ScopedProfile(Profile *profile) : previous_(installedProfile) {
  installedProfile = profile;
}

ScopedProfile::~ScopedProfile() { installedProfile = previous_; }

Profile *kiln::rt::currentProfile() { return installedProfile; }
