//===- ConvUtils.h - Pieces shared by convolution lowerings -----*- C++ -*-===//

#ifndef KILN_CONVERSION_KILNTOLINALG_CONVUTILS_H
#define KILN_CONVERSION_KILNTOLINALG_CONVUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln::lowering {

/// `input` (NCHW) padded spatially by `low`/`high` with `value`.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> low,
                       llvm::ArrayRef<int64_t> high, mlir::Value value);

/// NCHW `input` with `low`/`high` rows and columns cut off its spatial
/// edges (static spatial sizes).
mlir::Value cropSpatial(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value input, llvm::ArrayRef<int64_t> low,
                        llvm::ArrayRef<int64_t> high);

/// `value` with dimension `dim` split into [groups, size / groups]: the
/// channels of a grouped convolution, group-major.
mlir::Value splitIntoGroups(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value value, int64_t dim, int64_t groups);

/// NCHW `input` as NHWC. A single channel needs no data movement.
mlir::Value channelsLast(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input);

/// The im2col patches of an (already padded) NCHW `input` for a kh x kw
/// window: [N, OH, OW, KH, KW, C] with
/// col[n, oh, ow, i, j, c] = input[n, c, oh*sh + i*dh, ow*sw + j*dw], where
/// `outputType` gives N, OH, OW and the element type. The input is first
/// made channels-last (one vectorized transpose), so that each patch row is
/// a copy of contiguous channels rather than a gather across planes.
mlir::Value im2colPatches(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, int64_t kh, int64_t kw,
                          mlir::RankedTensorType outputType,
                          llvm::ArrayRef<int64_t> stride,
                          llvm::ArrayRef<int64_t> dilation);

/// Whether convolveDirect applies: unit stride, no groups, static channel
/// and spatial sizes.
bool canConvolveDirectly(mlir::RankedTensorType input,
                         mlir::RankedTensorType result,
                         llvm::ArrayRef<int64_t> stride, int64_t groups);

/// The unit-stride convolution of NCHW `input`, padded by `low`/`high`
/// with zeros, with `weight` [F, C, KH, KW] (plus `bias` [F] when given),
/// computed in place on the padded planes (see DirectConv.cpp).
mlir::Value convolveDirect(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> low,
                           llvm::ArrayRef<int64_t> high, mlir::Value weight,
                           mlir::Value bias, mlir::RankedTensorType resultType,
                           llvm::ArrayRef<int64_t> dilation);

/// Whether filterGradientDirect applies: as canConvolveDirectly, with
/// input channels in whole register tiles and more than one filter.
bool canTakeFilterGradientDirectly(mlir::RankedTensorType input,
                                   mlir::RankedTensorType gradOutput,
                                   llvm::ArrayRef<int64_t> stride);

/// The filter gradient [F, C, KH, KW] of a unit-stride convolution of NCHW
/// `input`, padded by `low`/`high`, whose output gradient is `gradOutput`:
/// a sum over every image and pixel that reads the padded planes in place
/// (see DirectConv.cpp).
mlir::Value filterGradientDirect(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value input, llvm::ArrayRef<int64_t> low,
                                 llvm::ArrayRef<int64_t> high,
                                 mlir::Value gradOutput,
                                 mlir::RankedTensorType resultType,
                                 llvm::ArrayRef<int64_t> dilation);

/// For windows that tile the NCHW `input` (see windowsTileInput), one
/// strided slice of it per window tap, in row-major tap order, each of the
/// shape of `resultType` (the pooled output).
llvm::SmallVector<mlir::Value> windowTapSlices(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::Value input,
                                               mlir::RankedTensorType resultType,
                                               llvm::ArrayRef<int64_t> kernel);

/// Pooling windows that tile the NCHW input exactly: no padding, no
/// dilation, stride = kernel, every row and column of `input` in a window of
/// `output`, as in LeNet's 2 x 2 pooling.
bool windowsTileInput(mlir::RankedTensorType input,
                      mlir::RankedTensorType output,
                      llvm::ArrayRef<int64_t> kernel,
                      llvm::ArrayRef<int64_t> stride,
                      llvm::ArrayRef<int64_t> padding,
                      llvm::ArrayRef<int64_t> dilation);

} // namespace kiln::lowering

#endif // KILN_CONVERSION_KILNTOLINALG_CONVUTILS_H
