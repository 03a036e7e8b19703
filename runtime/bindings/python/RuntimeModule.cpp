//===- RuntimeModule.cpp - kiln._runtime: modules and sessions ------------===//
//
// The runtime for Python, with nanobind: modules loaded from a file or
// bytes, sessions that own parameters and run entries. Inputs are read in
// place from the caller's arrays (anything that speaks the buffer protocol
// or DLPack, C-contiguous, on the CPU); each output is a NumPy array over
// memory Kiln allocated, freed when the array is. Failures raise the
// exception of their kind (kiln.KilnError and its subclasses); the GIL is
// released while an entry runs. The friendly API is kiln/__init__.py's.
//
//===----------------------------------------------------------------------===//

#include "PyRuntime.h"

#include "kiln/runtime/Checkpoint.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace kiln::python {
namespace {

/// The Python exception classes, made once at import.
struct ExceptionClasses {
  nb::handle base, invalidArgument, notFound, corrupt, precondition;
} exceptions;

nb::handle classOf(ErrorCode code) {
  switch (code) {
  case ErrorCode::InvalidArgument:
    return exceptions.invalidArgument;
  case ErrorCode::NotFound:
    return exceptions.notFound;
  case ErrorCode::Corrupt:
    return exceptions.corrupt;
  case ErrorCode::FailedPrecondition:
    return exceptions.precondition;
  case ErrorCode::OutOfMemory:
    return PyExc_MemoryError;
  default:
    return exceptions.base;
  }
}

/// An exception class `name` deriving from `bases` (a tuple or one class).
nb::handle makeException(nb::module_ &m, const char *name,
                         nb::handle bases) {
  std::string qualified = std::string("kiln._runtime.") + name;
  PyObject *made =
      PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr);
  if (!made)
    throw nb::python_error();
  m.attr(name) = nb::handle(made);
  return made;
}

nb::dlpack::dtype dlpackOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return nb::dtype<float>();
  case DType::F64:
    return nb::dtype<double>();
  case DType::I32:
    return nb::dtype<int32_t>();
  case DType::I64:
    return nb::dtype<int64_t>();
  case DType::I1:
    return nb::dtype<bool>();
  }
  return nb::dtype<float>();
}

const char *numpyName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  case DType::I1:
    return "bool";
  }
  return "?";
}


/// NumPy's name of an array's element type ("float64", "uint8").
std::string describeDtype(const nb::dlpack::dtype &dtype) {
  switch (static_cast<nb::dlpack::dtype_code>(dtype.code)) {
  case nb::dlpack::dtype_code::Int:
    return "int" + std::to_string(dtype.bits);
  case nb::dlpack::dtype_code::UInt:
    return "uint" + std::to_string(dtype.bits);
  case nb::dlpack::dtype_code::Float:
    return "float" + std::to_string(dtype.bits);
  case nb::dlpack::dtype_code::Bool:
    return "bool";
  default:
    return "an unsupported type";
  }
}





nb::dict describeTensor(const std::string &name, const TensorSpec &spec) {
  nb::dict description;
  description["name"] = name;
  description["dtype"] = numpyName(spec.dtype);
  nb::list shape;
  for (int64_t dim : spec.shape)
    shape.append(dim < 0 ? nb::object(nb::none()) : nb::int_(dim));
  description["shape"] = nb::tuple(shape);
  return description;
}

} // namespace

TensorView viewOf(const std::string &what, const AnyArray &array,
                  const TensorSpec &spec) {
  std::vector<int64_t> shape;
  for (size_t i = 0; i < array.ndim(); ++i)
    shape.push_back(static_cast<int64_t>(array.shape(i)));
  if (array.dtype() != dlpackOf(spec.dtype))
    throw Failure{ErrorCode::InvalidArgument,
                  what + " must be " + numpyName(spec.dtype) + " " +
                      formatShape(spec.shape) + ", got " +
                      describeDtype(array.dtype()) + " " +
                      formatShape(shape)};
  return TensorView(spec.dtype, std::move(shape), array.data());
}

NumpyArray toArray(Tensor tensor) {
  auto *owned = new Tensor(std::move(tensor));
  nb::capsule owner(owned, [](void *p) noexcept {
    delete static_cast<Tensor *>(p);
  });
  std::vector<size_t> shape(owned->shape.begin(), owned->shape.end());
  return NumpyArray(owned->bytes.data(), shape.size(), shape.data(), owner,
                    nullptr, dlpackOf(owned->dtype));
}

PyModule PyModule::load(nb::bytes data) {
  std::string bytes(data.c_str(), data.size());
  std::string error;
  ErrorCode code = ErrorCode::None;
  std::unique_ptr<Module> loaded = Module::loadMemory(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), error,
      &code);
  if (!loaded)
    throw Failure{code == ErrorCode::None ? ErrorCode::Corrupt : code,
                  error};
  return PyModule{std::move(loaded), bytes};
}

const EntrySpec &PyModule::entry(const std::string &name) const {
  if (const EntrySpec *found = module->findEntry(name))
    return *found;
  std::string names;
  for (const EntrySpec &entry : module->entries())
    names += (names.empty() ? "'" : ", '") + entry.name + "'";
  throw Failure{ErrorCode::NotFound, "the module has no entry '" + name +
                                         "'; its entries are " + names};
}

/// Entry name to {"inputs": [...], "outputs": [...], "train": bool}.
nb::dict PyModule::entries() const {
  nb::dict all;
  for (const EntrySpec &entry : module->entries()) {
    nb::list inputs, outputs;
    for (const ArgumentSpec &argument : entry.arguments)
      if (argument.role == ArgumentSpec::Role::Input)
        inputs.append(describeTensor(argument.name, argument.type));
    for (const ResultSpec &result : entry.results)
      if (result.role == ResultSpec::Role::Output)
        outputs.append(describeTensor(result.name, result.type));
    nb::dict description;
    description["inputs"] = inputs;
    description["outputs"] = outputs;
    description["train"] = entry.isTrain;
    description["loss_of"] = entry.lossOf;
    all[entry.name.c_str()] = description;
  }
  return all;
}

std::vector<NumpyArray>
PySession::run(const PyModule &owner, const std::string &name,
             const std::map<std::string, AnyArray> &arrays,
             std::optional<float> learningRate, uint64_t step) {
  const EntrySpec &entry = owner.entry(name);
  std::map<std::string, TensorView> inputs;
  for (const auto &[inputName, array] : arrays) {
    const ArgumentSpec *spec = nullptr;
    for (const ArgumentSpec &argument : entry.arguments)
      if (argument.role == ArgumentSpec::Role::Input &&
          argument.name == inputName)
        spec = &argument;
    // Unknown names are left to the session, which lists the inputs.
    inputs.emplace(inputName,
                   spec ? viewOf("input '" + inputName + "'", array,
                                 spec->type)
                        : TensorView(DType::F32, {}, array.data()));
  }
  RunOptions options;
  options.learningRate = learningRate;
  options.step = step;
  std::vector<Tensor> outputs;
  std::string error;
  bool ran;
  {
    nb::gil_scoped_release released;
    ran = session->run(name, inputs, outputs, error, options);
  }
  if (!ran)
    throw Failure{ErrorCode::InvalidArgument, error};
  std::vector<NumpyArray> arraysOut;
  for (Tensor &tensor : outputs)
    arraysOut.push_back(toArray(std::move(tensor)));
  return arraysOut;
}

size_t PySession::paramIndex(const std::string &name) const {
  const std::vector<ParamSpec> &params = module->params();
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name)
      return i;
  throw Failure{ErrorCode::NotFound,
                "the module has no parameter '" + name + "'"};
}

NumpyArray PySession::getParam(const std::string &name) const {
  return toArray(session->params()[paramIndex(name)]);
}

void PySession::setParam(const std::string &name, const AnyArray &array) {
  const ParamSpec &spec = module->params()[paramIndex(name)];
  TensorView view = viewOf("parameter '" + name + "'", array, spec.type);
  Tensor value(view.dtype, view.shape);
  std::memcpy(value.bytes.data(), view.data, value.bytes.size());
  std::string error;
  if (!session->setParam(name, value, error))
    throw Failure{ErrorCode::InvalidArgument, error};
}

void PySession::save(const std::string &path) const {
  std::string error;
  if (!saveCheckpoint(*session, path, error))
    throw Failure{ErrorCode::FailedPrecondition, error};
}

void PySession::restore(const std::string &path) {
  std::string error;
  ErrorCode code = ErrorCode::None;
  if (!loadCheckpoint(*session, path, error, nullptr, &code))
    throw Failure{code == ErrorCode::None ? ErrorCode::Corrupt : code,
                  error};
}

} // namespace kiln::python

using namespace kiln::python;

NB_MODULE(_runtime, m) {
  m.doc() = "Kiln's runtime: load modules, run and train their entries.";
  exceptions.base = makeException(m, "KilnError", PyExc_RuntimeError);
  exceptions.invalidArgument = makeException(
      m, "InvalidArgumentError",
      nb::make_tuple(exceptions.base, nb::handle(PyExc_ValueError)));
  exceptions.notFound = makeException(
      m, "NotFoundError",
      nb::make_tuple(exceptions.base, nb::handle(PyExc_LookupError)));
  exceptions.corrupt = makeException(m, "CorruptError", exceptions.base);
  exceptions.precondition =
      makeException(m, "PreconditionError", exceptions.base);
  nb::register_exception_translator([](const std::exception_ptr &p, void *) {
    try {
      std::rethrow_exception(p);
    } catch (const Failure &failure) {
      PyErr_SetString(classOf(failure.code).ptr(), failure.message.c_str());
    } catch (const std::bad_alloc &) {
      PyErr_SetString(PyExc_MemoryError, "out of memory");
    }
  });

  // For the tests: the address the runtime reads an array at, to compare
  // with the array's own (inputs are not copied on the way in).
  m.def("_data_address", [](const AnyArray &array) {
    return reinterpret_cast<uintptr_t>(array.data());
  });

  nb::class_<PyModule>(m, "Module", "A loaded .kmod module.")
      .def_static("from_bytes", &PyModule::load, nb::arg("data"),
                  "Loads a module from its bytes (verified before any of "
                  "its code is loaded).")
      .def_prop_ro("name",
                   [](const PyModule &self) { return self.module->name(); })
      .def_prop_ro("target_cpu", [](const PyModule &self) {
        return self.module->targetCpu();
      })
      .def_prop_ro("entries", &PyModule::entries,
                   "Entry name to its inputs, outputs and whether it trains.")
      .def_prop_ro("param_names",
                   [](const PyModule &self) {
                     std::vector<std::string> names;
                     for (const ParamSpec &param : self.module->params())
                       names.push_back(param.name);
                     return names;
                   })
      .def_prop_ro("inference_entry",
                   [](const PyModule &self) -> nb::object {
                     const EntrySpec *entry = self.module->inferenceEntry();
                     return entry ? nb::str(entry->name.c_str())
                                  : nb::object(nb::none());
                   })
      .def_prop_ro("bytes", [](const PyModule &self) {
        return nb::bytes(self.bytes.data(), self.bytes.size());
      });

  nb::class_<PySession>(m, "Session",
                        "Parameters, optimizer state and entry runs of one "
                        "module; one thread at a time.")
      .def(nb::init<const PyModule &, uint64_t, unsigned>(), nb::arg("module"),
           nb::arg("seed") = 0, nb::arg("threads") = 0)
      .def("run", &PySession::run, nb::arg("module"), nb::arg("entry"),
           nb::arg("inputs"), nb::arg("learning_rate") = nb::none(),
           nb::arg("step") = 0,
           "Runs `entry` on the named arrays (read in place); its outputs "
           "in order, as arrays that own Kiln's memory.")
      .def("get_param", &PySession::getParam, nb::arg("name"))
      .def("set_param", &PySession::setParam, nb::arg("name"),
           nb::arg("value"))
      .def("step_count",
           [](const PySession &self, const std::string &entry) {
             return self.session->stepCount(entry);
           })
      .def("save", &PySession::save, nb::arg("path"))
      .def("restore", &PySession::restore, nb::arg("path"));

  bindFit(m);
  bindData(m);
  bindTune(m);
}
