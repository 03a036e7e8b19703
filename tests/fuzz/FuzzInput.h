//===- FuzzInput.h - A fuzzer's bytes as a file -----------------*- C++ -*-===//
//
// The readers under test take paths, as applications call them. Each input
// becomes an anonymous in-memory file (memfd), named through /proc, so
// that nothing touches the disk and nothing is left behind.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_FUZZ_FUZZINPUT_H
#define KILN_TESTS_FUZZ_FUZZINPUT_H

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace kiln::fuzz {

class InputFile {
public:
  InputFile(const uint8_t *data, size_t size) {
    fd_ = memfd_create("kiln-fuzz", 0);
    if (fd_ < 0)
      std::abort();
    for (size_t done = 0; done < size;) {
      ssize_t wrote = write(fd_, data + done, size - done);
      if (wrote <= 0)
        std::abort();
      done += static_cast<size_t>(wrote);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~InputFile() { close(fd_); }
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;

  const std::string &path() const { return path_; }

private:
  int fd_ = -1;
  std::string path_;
};

} // namespace kiln::fuzz

#endif // KILN_TESTS_FUZZ_FUZZINPUT_H
