//===- kiln-opt.cpp - The opt-style driver for Kiln ----------------------===//
//
// mlir-opt with the kiln dialect and Kiln's passes added: reads MLIR, runs a
// pass pipeline, prints the result. Every usual mlir-opt flag works.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  kiln::hideLibraryOptionsFromHelp();
  kiln::registerAllPasses();
  mlir::DialectRegistry registry;
  kiln::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
