//===- Profile.h - Where an entry's time goes -------------------*- C++ -*-===//
//
// Compiled code runs its heavy loops through kiln_rt_parallel_for, naming
// each loop's site (model source position and kind of code). While a
// Profile is installed on the calling thread, the runtime times every such
// loop by site and every entry call as a whole; what the loops do not
// cover is the code between them (small serial loops, allocation).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_PROFILE_H
#define KILN_RUNTIME_PROFILE_H

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::rt {

class Profile {
public:
  struct Site {
    std::string name;
    int64_t calls = 0;
    double seconds = 0;
  };

  /// One run of a parallel loop at `site` (a string in the module's code,
  /// alive while the module is loaded).
  void recordLoop(const char *site, double seconds);
  /// One call of an entry's compiled code, loops included.
  void recordRun(double seconds);

  /// Sites by time spent, most first.
  std::vector<Site> sites() const;
  int64_t runs() const { return runs_; }
  double runSeconds() const { return runSeconds_; }

private:
  std::unordered_map<const char *, Site> bySite_;
  int64_t runs_ = 0;
  double runSeconds_ = 0;
};

/// Installs `profile` (null: none) for the compiled code this thread runs,
/// for the scope's lifetime. Loops that worker threads start inside other
/// loops count as part of the outer loop.
class ScopedProfile {
public:
  explicit ScopedProfile(Profile *profile);
  ~ScopedProfile();
  ScopedProfile(const ScopedProfile &) = delete;
  ScopedProfile &operator=(const ScopedProfile &) = delete;

private:
  Profile *previous_;
};

/// The profile installed on this thread, or null.
Profile *currentProfile();

} // namespace kiln::rt

#endif // KILN_RUNTIME_PROFILE_H
