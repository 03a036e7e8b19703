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

} // namespace kiln

#endif // KILN_INITALL_H
