//===- EmitEntryAbi.cpp - The kiln-emit-entry-abi pass --------------------===//
//
// Gives every entry one calling convention, whatever its signature:
// `void kiln_entry_<name>(void **args)`, where `args` holds the pointers
// that the entry's C interface takes (its results' descriptors first, then
// one memref descriptor per argument). The runtime then calls any entry
// without knowing its arity at compile time.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/ModuleSummary.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEMITENTRYABI
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";

struct EmitEntryAbiPass : kiln::impl::KilnEmitEntryAbiBase<EmitEntryAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto wrapperType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(context), {ptrType});
    SmallVector<LLVM::LLVMFuncOp> interfaces;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func.getName().starts_with(kCInterfacePrefix) && !func.isExternal())
        interfaces.push_back(func);

    OpBuilder builder(context);
    builder.setInsertionPointToEnd(module.getBody());
    for (LLVM::LLVMFuncOp interface : interfaces) {
      Location loc = interface.getLoc();
      LLVM::LLVMFunctionType type = interface.getFunctionType();
      if (!llvm::all_of(type.getParams(),
                        [&](Type t) { return t == ptrType; })) {
        interface.emitError("an entry's C interface must take only pointers");
        return signalPassFailure();
      }
      std::string name = kiln::entrySymbol(
          interface.getName().drop_front(kCInterfacePrefix.size()));
      auto wrapper =
          LLVM::LLVMFuncOp::create(builder, loc, name, wrapperType);
      Block *body = wrapper.addEntryBlock(builder);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(body);
      SmallVector<Value> pointers;
      for (unsigned i = 0, e = type.getNumParams(); i < e; ++i) {
        Value slot = LLVM::GEPOp::create(
            builder, loc, ptrType, ptrType, body->getArgument(0),
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        pointers.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
      }
      LLVM::CallOp::create(builder, loc, interface, pointers);
      LLVM::ReturnOp::create(builder, loc, ValueRange{});
    }
    // Only the wrappers are the module's interface. Everything else binds
    // locally: an entry named like a libc function (`step`) must not be
    // interposed by it when the runtime loads the code.
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (!func.isExternal() &&
          !func.getName().starts_with(kiln::entrySymbol("")))
        func.setLinkage(LLVM::Linkage::Internal);
  }
};
} // namespace
