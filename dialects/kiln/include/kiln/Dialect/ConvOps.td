//===- ConvOps.td - Convolution, pooling and resampling ------*- tablegen -*-===//
//
// The convolution family. Tensors are NCHW and filters OIHW at the
// interface, as in PyTorch; the layout pass may compute in another layout.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_CONVOPS_TD
#define KILN_DIALECT_CONVOPS_TD

include "kiln/Dialect/KilnBase.td"

class Kiln_ConvFamilyOp<string mnemonic> : Kiln_InferredOp<mnemonic> {
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_Conv2DOp : Kiln_ConvFamilyOp<"conv2d"> {
  let summary = "2-D convolution (NCHW input, OIHW filter)";
  let description = [{
    `input` is `[N, C, H, W]`, `weight` is `[F, C / groups, KH, KW]`, the
    optional `bias` is `[F]`. `stride`, `padding` (zeros on both sides) and
    `dilation` have one entry per spatial dimension (H, W). The output is
    `[N, F, OH, OW]` with
    `OH = (H + 2 * padding[0] - dilation[0] * (KH - 1) - 1) / stride[0] + 1`.

    ```mlir
    %y = kiln.conv2d %x, %w, %b {padding = array<i64: 1, 1>}
        : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>)
        -> tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
}

def Kiln_ConvTranspose2DOp : Kiln_ConvFamilyOp<"conv_transpose2d"> {
  let summary = "2-D transposed convolution (NCHW input, IOHW filter)";
  let description = [{
    The gradient of `kiln.conv2d` with respect to its input, used as a
    learned upsampling. `input` is `[N, C, H, W]`, `weight` is
    `[C, F / groups, KH, KW]` (PyTorch's `ConvTranspose2d` layout), the
    optional `bias` is `[F]`. The output is `[N, F, OH, OW]` with
    `OH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (KH - 1)
    + output_padding[0] + 1`; `output_padding` must be smaller than the
    stride or the dilation.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
}

def Kiln_MaxPool2DOp : Kiln_ConvFamilyOp<"max_pool2d"> {
  let summary = "2-D max pooling (NCHW)";
  let description = [{
    Maximum over `kernel` windows. `stride` defaults to `kernel`; padded
    positions never win. Output size as for `kiln.conv2d`; `padding` must
    be at most half the kernel.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   OptionalAttr<DenseI64ArrayAttr>:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation);
}

def Kiln_AvgPool2DOp : Kiln_ConvFamilyOp<"avg_pool2d"> {
  let summary = "2-D average pooling (NCHW)";
  let description = [{
    Mean over `kernel` windows. `stride` defaults to `kernel`. With
    `count_include_pad` (the default, as in PyTorch) padded zeros count in
    the divisor.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   OptionalAttr<DenseI64ArrayAttr>:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
}

def Kiln_GlobalAvgPool2DOp : Kiln_ConvFamilyOp<"global_avg_pool2d"> {
  let summary = "mean over all spatial positions (NCHW)";
  let description = "Maps `[N, C, H, W]` to `[N, C, 1, 1]`.";
  let arguments = (ins Kiln_FloatTensor:$input);
}

def Kiln_UpsampleNearest2DOp : Kiln_ConvFamilyOp<"upsample_nearest2d"> {
  let summary = "nearest-neighbour upsampling by integer factors (NCHW)";
  let description = [{
    Repeats every pixel `scale[0]` times along H and `scale[1]` times along
    W.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$scale);
}

#endif // KILN_DIALECT_CONVOPS_TD
