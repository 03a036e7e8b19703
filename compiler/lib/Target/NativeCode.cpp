//===- NativeCode.cpp - From the LLVM dialect to a shared object ----------===//

#include "kiln/Target/NativeCode.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/IPO/MergeFunctions.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

LLD_HAS_DRIVER(elf)

using namespace mlir;
using namespace kiln;

static void initializeNativeTarget() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)initialized;
}

TargetDescription kiln::describeTarget(llvm::StringRef cpu,
                                       llvm::StringRef features) {
  TargetDescription target;
  target.triple = llvm::sys::getProcessTriple();
  target.cpu = cpu.empty() ? llvm::sys::getHostCPUName().str() : cpu.str();
  llvm::StringMap<bool> enabled;
  if (cpu.empty())
    enabled = llvm::sys::getHostCPUFeatures();
  llvm::SmallVector<llvm::StringRef> overrides;
  features.split(overrides, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef feature : overrides) {
    feature = feature.trim();
    bool on = !feature.consume_front("-");
    feature.consume_front("+");
    enabled[feature] = on;
  }
  if (!cpu.empty()) {
    // A named CPU implies its features (x86-64-v3: AVX2, FMA, ...); the
    // module records them all, so that the runtime can refuse a host that
    // lacks one instead of faulting on its first instruction.
    std::string overrideString;
    for (const auto &feature : enabled)
      overrideString += (overrideString.empty() ? "" : ",") +
                        std::string(feature.second ? "+" : "-") +
                        feature.first().str();
    initializeNativeTarget();
    std::string error;
    llvm::Triple triple(target.triple);
    if (const llvm::Target *llvmTarget =
            llvm::TargetRegistry::lookupTarget(triple, error)) {
      std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
          llvmTarget->createMCSubtargetInfo(triple, target.cpu,
                                            overrideString));
      if (subtarget)
        for (const llvm::SubtargetFeatureKV &feature :
             subtarget->getAllProcessorFeatures())
          if (subtarget->getFeatureBits().test(feature.Value))
            enabled[feature.Key] = true;
    }
  }
  for (const auto &feature : enabled)
    if (feature.second)
      target.features.push_back(feature.first().str());
  llvm::sort(target.features);
  return target;
}

static std::string featureString(const TargetDescription &target) {
  std::string result;
  for (const std::string &feature : target.features)
    result += (result.empty() ? "+" : ",+") + feature;
  return result;
}

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetDescription &target, std::string &error) {
  initializeNativeTarget();
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, target.cpu, featureString(target), options, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// Entries repeat each other's code (a train step, its loss entry and the
/// inference entry share the forward pass; a GAN's two steps share both
/// networks), and so do the thread-block bodies outlined from them. Merging
/// the identical functions halves what the code generator, by far the
/// slowest stage, has to do for such models.
static void mergeIdenticalFunctions(llvm::Module &module,
                                    llvm::TargetMachine *machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  llvm::ModulePassManager passes;
  passes.addPass(llvm::MergeFunctionsPass());
  passes.run(module, modules);
}

FailureOr<std::unique_ptr<llvm::Module>>
kiln::translateForTarget(ModuleOp module, llvm::LLVMContext &context,
                         const TargetDescription &target) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, error);
  if (!machine)
    return module.emitError("no code generator for ") << target.triple << ": "
                                                      << error;
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(llvm::Triple(target.triple));
  // Before optimizing too: the optimizer then sees each body once.
  mergeIdenticalFunctions(*llvmModule, machine.get());
  return llvmModule;
}

llvm::Error kiln::optimizeForTarget(llvm::Module &module,
                                    const TargetDescription &target) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, error);
  if (!machine)
    return llvm::createStringError("no code generator for " + target.triple +
                                   ": " + error);
  auto optimize = makeOptimizingTransformer(3, 0, machine.get());
  if (llvm::Error err = optimize(&module))
    return err;
  mergeIdenticalFunctions(module, machine.get());
  return llvm::Error::success();
}

FailureOr<std::unique_ptr<llvm::Module>>
kiln::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                           const TargetDescription &target) {
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateForTarget(module, context, target);
  if (failed(llvmModule))
    return failure();
  if (llvm::Error err = optimizeForTarget(**llvmModule, target))
    return module.emitError("LLVM optimization failed: ")
           << llvm::toString(std::move(err));
  return llvmModule;
}

FailureOr<llvm::SmallVector<char>>
kiln::emitMachineCode(llvm::Module &module, const TargetDescription &target,
                      CodeFileKind kind) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, error);
  if (!machine)
    return failure();
  llvm::SmallVector<char> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   kind == CodeFileKind::Object
                                       ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile))
    return failure();
  passes.run(module);
  return buffer;
}

FailureOr<llvm::SmallVector<char>>
kiln::linkSharedObject(llvm::ArrayRef<llvm::SmallVector<char>> objects,
                       std::string &errorMessage) {
  // lld reads and writes files; a private temporary directory holds them.
  llvm::SmallString<128> directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("kilnc-link", directory)) {
    errorMessage = "cannot create a temporary directory: " + ec.message();
    return failure();
  }
  llvm::SmallString<128> sharedPath(directory);
  llvm::sys::path::append(sharedPath, "model.so");
  std::vector<std::string> objectPaths;
  llvm::scope_exit cleanup([&] {
    for (const std::string &path : objectPaths)
      llvm::sys::fs::remove(path);
    llvm::sys::fs::remove(sharedPath);
    llvm::sys::fs::remove(directory);
  });
  for (const llvm::SmallVector<char> &object : objects) {
    llvm::SmallString<128> objectPath(directory);
    llvm::sys::path::append(objectPath,
                            "part" + std::to_string(objectPaths.size()) + ".o");
    objectPaths.push_back(objectPath.str().str());
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec);
    if (ec) {
      errorMessage = "cannot write " + objectPath.str().str() + ": " +
                     ec.message();
      return failure();
    }
    os.write(object.data(), object.size());
  }
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  std::vector<const char *> args = {"ld.lld", "-shared",
                                    "--no-undefined-version", "-O2",
                                    "--gc-sections", "-o", sharedPath.c_str()};
  for (const std::string &path : objectPaths)
    args.push_back(path.c_str());
  lld::Result result = lld::lldMain(args, diagnosticStream, diagnosticStream,
                                    {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0 || !result.canRunAgain) {
    errorMessage = "linking the shared object failed: " + diagnostics;
    return failure();
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> shared =
      llvm::MemoryBuffer::getFile(sharedPath, /*IsText=*/false);
  if (!shared) {
    errorMessage = "cannot read the linked shared object";
    return failure();
  }
  llvm::StringRef bytes = (*shared)->getBuffer();
  return llvm::SmallVector<char>(bytes.begin(), bytes.end());
}
