//===- TensorBoard.cpp - Training curves as TensorBoard event files -------===//
//
// Wire format (protocol buffers): a field's key is (number << 3 | wire
// type); type 0 is a varint, 1 eight little-endian bytes, 2 a length and
// bytes, 5 four little-endian bytes. Event: wall_time = 1 (double), step =
// 2 (int64), file_version = 3 (string), summary = 5 (Summary). Summary:
// value = 1 (repeated Value). Value: tag = 1 (string), simple_value = 2
// (float).
//
//===----------------------------------------------------------------------===//

#include "kiln/train/TensorBoard.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

using namespace kiln::train;

namespace {

std::array<uint32_t, 256> crcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (crc & 1 ? 0x82f63b78u : 0);
    table[i] = crc;
  }
  return table;
}

/// TFRecord's masking, so that a CRC of data holding CRCs stays useful.
uint32_t maskedCrc(const std::string &bytes) {
  uint32_t crc = crc32c(bytes.data(), bytes.size());
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

void putVarint(std::string &out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

template <typename T> void putLittleEndian(std::string &out, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T)); // x86-64 and AArch64 Linux: LE
  out.append(reinterpret_cast<const char *>(bytes), sizeof(T));
}

void putBytes(std::string &out, int field, const std::string &bytes) {
  putVarint(out, static_cast<uint64_t>(field) << 3 | 2);
  putVarint(out, bytes.size());
  out += bytes;
}

/// An Event with its wall time and step, before its payload.
std::string eventHeader(int64_t step) {
  std::string event;
  double now = std::chrono::duration<double>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  putVarint(event, 1 << 3 | 1);
  putLittleEndian(event, now);
  putVarint(event, 2 << 3 | 0);
  putVarint(event, static_cast<uint64_t>(step));
  return event;
}

} // namespace

uint32_t kiln::train::crc32c(const void *data, size_t size) {
  static const std::array<uint32_t, 256> table = crcTable();
  const auto *bytes = static_cast<const unsigned char *>(data);
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

EventFileWriter::~EventFileWriter() {
  if (file_)
    std::fclose(file_);
}

bool EventFileWriter::open(const std::string &dir, std::string &error) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    error = "cannot create log directory '" + dir + "': " +
            std::strerror(errno);
    return false;
  }
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  // The pid keeps two runs in the same second apart.
  path_ = dir + "/events.out.tfevents." + std::to_string(seconds) + "." +
          host + "." + std::to_string(getpid());
  file_ = std::fopen(path_.c_str(), "wb");
  if (!file_) {
    error = "cannot write '" + path_ + "': " + std::strerror(errno);
    return false;
  }
  std::string event = eventHeader(0);
  putBytes(event, 3, "brain.Event:2");
  return writeRecord(event, error);
}

bool EventFileWriter::writeScalar(const std::string &tag, int64_t step,
                                  double value, std::string &error) {
  std::string scalar;
  putBytes(scalar, 1, tag);
  putVarint(scalar, 2 << 3 | 5);
  putLittleEndian(scalar, static_cast<float>(value));
  std::string summary;
  putBytes(summary, 1, scalar);
  std::string event = eventHeader(step);
  putBytes(event, 5, summary);
  return writeRecord(event, error);
}

bool EventFileWriter::writeRecord(const std::string &record,
                                  std::string &error) {
  std::string frame, length;
  putLittleEndian(length, static_cast<uint64_t>(record.size()));
  frame = length;
  putLittleEndian(frame, maskedCrc(length));
  frame += record;
  putLittleEndian(frame, maskedCrc(record));
  if (!file_ || std::fwrite(frame.data(), 1, frame.size(), file_) !=
                    frame.size() ||
      std::fflush(file_) != 0) {
    error = "cannot write '" + path_ + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

void TensorBoardLogger::onStep(Trainer &, const StepReport &report) {
  std::string error;
  bool written = true;
  for (const auto &[name, loss] : report.stepLosses)
    written = written &&
              writer_.writeScalar("train/" + name, report.globalStep, loss,
                                  error);
  written = written && writer_.writeScalar("learning_rate", report.globalStep,
                                           report.learningRate, error);
  if (!written && error_.empty())
    error_ = error;
}

bool TensorBoardLogger::onEpoch(Trainer &, const EpochReport &report,
                                std::string &error) {
  if (!error_.empty()) {
    error = error_;
    return false;
  }
  for (const auto &[name, loss] : report.trainLosses)
    if (!writer_.writeScalar("epoch/train_" + name, report.step, loss, error))
      return false;
  // Kept alive for the loop: items() refers into it.
  nlohmann::ordered_json scores = report.validation.toJson("");
  if (report.validated)
    for (const auto &score : scores.items())
      if (!writer_.writeScalar("validation/" + score.key(), report.step,
                               score.value().get<double>(), error))
        return false;
  return writer_.writeScalar("samples_per_second", report.step,
                             report.trainSamples / report.seconds, error);
}
