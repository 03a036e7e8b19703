//===- TensorBoard.h - Training curves as TensorBoard events ----*- C++ -*-===//
//
// TensorBoard reads a directory of event files: TFRecord framing (length,
// masked CRC-32C of the length, the record, its masked CRC-32C) around
// serialized `Event` protocol buffers (tensorflow/core/util/event.proto)
// whose `Summary` carries `simple_value` scalars. The few fields written are
// encoded here directly; no protobuf or TensorFlow library is needed.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_TENSORBOARD_H
#define KILN_TRAIN_TENSORBOARD_H

#include "kiln/train/Trainer.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace kiln::train {

/// One event file, flushed after every write so that a running TensorBoard
/// shows the curves as they grow.
class EventFileWriter {
public:
  EventFileWriter() = default;
  EventFileWriter(const EventFileWriter &) = delete;
  EventFileWriter &operator=(const EventFileWriter &) = delete;
  ~EventFileWriter();

  /// Creates `dir` (one level) and a new events.out.tfevents.* file in it.
  bool open(const std::string &dir, std::string &error);
  bool writeScalar(const std::string &tag, int64_t step, double value,
                   std::string &error);
  const std::string &path() const { return path_; }

private:
  bool writeRecord(const std::string &record, std::string &error);
  std::FILE *file_ = nullptr;
  std::string path_;
};

/// CRC-32C (Castagnoli), as TFRecord frames use it.
uint32_t crc32c(const void *data, size_t size);

/// Writes the trainer's scalars: per step each train entry's loss
/// (`train/<loss>`), the learning rate (`learning_rate`); per epoch the
/// epoch's mean losses (`epoch/train_<loss>`), every validation score
/// (`validation/<metric>`) and `samples_per_second`. Steps count the first
/// train entry's steps since the start of training.
class TensorBoardLogger : public FitObserver {
public:
  /// Opens the event file; `error` is set when it cannot.
  bool open(const std::string &dir, std::string &error) {
    return writer_.open(dir, error);
  }
  void onStep(Trainer &trainer, const StepReport &report) override;
  bool onEpoch(Trainer &trainer, const EpochReport &report,
               std::string &error) override;

private:
  EventFileWriter writer_;
  std::string error_; ///< the first failed step write, reported per epoch
};

} // namespace kiln::train

#endif // KILN_TRAIN_TENSORBOARD_H
