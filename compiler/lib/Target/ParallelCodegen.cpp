//===- ParallelCodegen.cpp - LLVM on every core ---------------------------===//

#include "kiln/Target/ParallelCodegen.h"

#include "kiln/Target/NativeCode.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <thread>

using namespace mlir;
using namespace kiln;

namespace {

/// Below this many function definitions a split saves less than it costs
/// (serializing and reading back each part).
constexpr unsigned kMinFunctionsToSplit = 16;

/// Optimizes and compiles one part, serialized as bitcode, in a context of
/// its own (an LLVM context is not shared between threads).
std::string compilePart(llvm::StringRef bitcode,
                        const TargetDescription &target,
                        llvm::SmallVector<char> &object) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> module = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(bitcode, "part"), context);
  if (!module)
    return llvm::toString(module.takeError());
  if (llvm::Error err = optimizeForTarget(**module, target))
    return llvm::toString(std::move(err));
  FailureOr<llvm::SmallVector<char>> code =
      emitMachineCode(**module, target, CodeFileKind::Object);
  if (failed(code))
    return "code generation failed for " + target.triple;
  object = std::move(*code);
  return "";
}

} // namespace

FailureOr<llvm::SmallVector<llvm::SmallVector<char>>>
kiln::compileToObjects(ModuleOp module, const TargetDescription &target,
                       unsigned parts) {
  llvm::LLVMContext context;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateForTarget(module, context, target);
  if (failed(llvmModule))
    return failure();
  unsigned definitions = 0;
  for (llvm::Function &function : **llvmModule)
    definitions += !function.isDeclaration();

  llvm::SmallVector<llvm::SmallVector<char>> objects;
  if (parts < 2 || definitions < kMinFunctionsToSplit) {
    if (llvm::Error err = optimizeForTarget(**llvmModule, target))
      return module.emitError("LLVM optimization failed: ")
             << llvm::toString(std::move(err));
    FailureOr<llvm::SmallVector<char>> code =
        emitMachineCode(**llvmModule, target, CodeFileKind::Object);
    if (failed(code))
      return module.emitError("code generation failed for ") << target.triple;
    objects.push_back(std::move(*code));
    return objects;
  }

  // Functions go round-robin to the parts; local symbols become hidden
  // globals, so that a part can refer to another's (the shared object
  // still exports only the entries).
  llvm::SmallVector<llvm::SmallVector<char>> bitcode;
  llvm::SplitModule(
      **llvmModule, parts,
      [&](std::unique_ptr<llvm::Module> part) {
        llvm::SmallVector<char> buffer;
        llvm::raw_svector_ostream os(buffer);
        llvm::WriteBitcodeToFile(*part, os);
        bitcode.push_back(std::move(buffer));
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);

  objects.resize(bitcode.size());
  std::vector<std::string> errors(bitcode.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < bitcode.size(); ++i)
    threads.emplace_back([&, i] {
      errors[i] = compilePart(llvm::StringRef(bitcode[i].data(),
                                              bitcode[i].size()),
                              target, objects[i]);
    });
  errors[0] = compilePart(llvm::StringRef(bitcode[0].data(), bitcode[0].size()),
                          target, objects[0]);
  for (std::thread &thread : threads)
    thread.join();
  for (const std::string &error : errors)
    if (!error.empty())
      return module.emitError("LLVM failed on part of the module: ") << error;
  return objects;
}
