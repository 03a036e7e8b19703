//===- InitAll.h - Registration of everything a Kiln tool uses --*- C++ -*-===//
#ifndef KILN_INITALL_H
#define KILN_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln {

/// The kiln dialect, the upstream dialects the pipeline lowers through, and
/// the interface implementations they need. Upstream passes silently do
/// nothing when an interface model is missing, so tools register all of
/// them here rather than picking.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Kiln's passes and MLIR's upstream passes.
void registerAllPasses();

/// Moves the command-line options every LLVM backend registers when the
/// library loads (hundreds of -aarch64-*, -amdgpu-*, ...) from --help to
/// --help-hidden, where they still work. Call it before registering the
/// options a tool means to show: only options present now are hidden.
void hideLibraryOptionsFromHelp();

} // namespace kiln

#endif // KILN_INITALL_H
