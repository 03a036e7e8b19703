//===- TrainingObservers.cpp - Drawing while a model trains ---------------===//

#include "kiln/plot/TrainingObservers.h"

#include "kiln/plot/ImageGrid.h"
#include "kiln/train/ImageModels.h"

#include <sys/stat.h>

using namespace kiln::plot;
using namespace kiln::train;

bool CurvePlotter::onEpoch(Trainer &, const EpochReport &report,
                           std::string &error) {
  curves.record(report.epoch, report.trainLosses, report.validation);
  return curves.write(path, model, error);
}

bool SampleGridWriter::onEpoch(Trainer &trainer, const EpochReport &report,
                               std::string &error) {
  mkdir(dir.c_str(), 0755);
  Images images;
  return generateImages(trainer.session(), 64, seed, noise, images, error) &&
         writeImageGrid(dir + "/epoch-" + std::to_string(report.epoch) +
                            ".png",
                        images.pixels, images.count, images.height,
                        images.width, 8, images.low(), 1.0f, error);
}
