//===- InitAll.cpp - Registration of everything a Kiln tool uses ----------===//
//
// The one translation unit that includes MLIR's registration headers: they
// are heavy to compile, so no other file does.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAll.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"

void kiln::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<kiln::KilnDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void kiln::hideLibraryOptionsFromHelp() {
  llvm::cl::OptionCategory &general = llvm::cl::getGeneralCategory();
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *option = entry.second;
    if (llvm::is_contained(option->Categories, &general) &&
        option->getOptionHiddenFlag() == llvm::cl::NotHidden)
      option->setHiddenFlag(llvm::cl::Hidden);
  }
}

void kiln::registerAllPasses() {
  mlir::registerAllPasses();
  kiln::registerKilnPasses();
}
