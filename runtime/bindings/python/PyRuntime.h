//===- PyRuntime.h - What the runtime's bindings share ----------*- C++ -*-===//
//
// The types kiln._runtime binds (a module with its bytes, a session that
// keeps its module alive), the arrays it takes and returns, and failures
// by kind, shared by the files that bind them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BINDINGS_PYTHON_PYRUNTIME_H
#define KILN_BINDINGS_PYTHON_PYRUNTIME_H

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Session.h"
#include "kiln/train/PrepareData.h"
#include "kiln/train/Trainer.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::python {

namespace nb = nanobind;
using namespace kiln::rt;

/// A failure of the kind `code`, raised in Python as its exception class.
struct Failure {
  ErrorCode code;
  std::string message;
};

/// Inputs are only read: read-only arrays (a data set's views) are fine.
using AnyArray = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;
using NumpyArray = nb::ndarray<nb::numpy>;

/// A view of `array` as the tensor `spec` describes, or a ValueError
/// naming `what` ("input 'x'"), the expected type and the given one.
TensorView viewOf(const std::string &what, const AnyArray &array,
                  const TensorSpec &spec);

/// `tensor` as a NumPy array that owns it: no copy.
NumpyArray toArray(Tensor tensor);

/// A loaded module and the bytes it came from (for save).
struct PyModule {
  std::shared_ptr<Module> module;
  std::string bytes;

  static PyModule load(nb::bytes data);
  const EntrySpec &entry(const std::string &name) const;
  nb::dict entries() const;
};

/// A session, keeping its module alive.
struct PySession {
  std::shared_ptr<Module> module;
  std::unique_ptr<Session> session;

  PySession(const PyModule &module, uint64_t seed, unsigned threads)
      : module(module.module),
        session(std::make_unique<Session>(*module.module, seed, threads)) {}

  std::vector<NumpyArray> run(const PyModule &owner, const std::string &name,
                              const std::map<std::string, AnyArray> &arrays,
                              std::optional<float> learningRate,
                              uint64_t step);
  size_t paramIndex(const std::string &name) const;
  NumpyArray getParam(const std::string &name) const;
  void setParam(const std::string &name, const AnyArray &array);
  void save(const std::string &path) const;
  void restore(const std::string &path);
};

/// Sets `field` from `settings[name]` when it is there and not None (the
/// keyword settings kiln's Python layer passes through).
template <typename Field>
void setIfGiven(const nb::dict &settings, const char *name, Field &field) {
  if (settings.contains(name) && !settings[name].is_none())
    field = nb::cast<Field>(settings[name]);
}

/// A data set read, split and preprocessed by the trainer library (what
/// kiln-run's --data options name), or made from the caller's arrays;
/// shared with the arrays that view it.
struct PyData {
  std::shared_ptr<const train::PreparedData> data;
};

/// The trainer's options from kiln.fit's keyword settings (epochs, batch,
/// lr, schedule, ...); a bad value raises InvalidArgumentError.
train::FitOptions fitOptionsOf(const nb::dict &settings);

/// Binds kiln._runtime.fit and fit_data (FitBinding.cpp).
void bindFit(nb::module_ &m);
/// Binds PyData, prepare_data, data_from_arrays and evaluate
/// (DataBinding.cpp).
void bindData(nb::module_ &m);
/// Binds kiln._runtime.tune (TuneBinding.cpp).
void bindTune(nb::module_ &m);

} // namespace kiln::python

#endif // KILN_BINDINGS_PYTHON_PYRUNTIME_H
