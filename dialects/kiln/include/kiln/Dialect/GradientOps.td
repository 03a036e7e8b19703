//===- GradientOps.td - Ops that gradients are made of ---------*- tablegen -*-===//
//
// The backward pass is written in kiln ops, like the forward pass. Most
// gradients are compositions of the forward ops; these are the few that are
// not: the inverse of a reduction's shape change, and the parts of the
// convolution family's backward pass that no forward op computes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_GRADIENTOPS_TD
#define KILN_DIALECT_GRADIENTOPS_TD

include "kiln/Dialect/KilnBase.td"
include "kiln/Dialect/KilnAttrs.td"

def Kiln_ExpandReducedOp : Kiln_InferredOp<"expand_reduced"> {
  let summary = "broadcast a reduced tensor back over the reduced axes";
  let description = [{
    The inverse shape change of a reduction: `input` has the shape that
    reducing `like` over `axes` (with `keepdims`) gives, and the result has
    the shape of `like` and the element type of `input`, each element the
    `input` element its position reduced to. With `mean`, every element is
    divided by the number of elements each reduced one stood for, so that
    the result is the gradient of `kiln.mean`. Only `like`'s shape is read.

    ```mlir
    %g = kiln.expand_reduced %dloss, %labels {axes = array<i64: 0>, mean}
        : (tensor<f32>, tensor<?xi32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_Tensor:$like,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdims,
                   UnitAttr:$mean);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_Conv2DFilterGradOp : Kiln_InferredOp<"conv2d_filter_grad"> {
  let summary = "gradient of conv2d with respect to its filter";
  let description = [{
    `input` is the convolution's input `[N, C, H, W]`, `grad_output` the
    gradient of its output `[N, F, OH, OW]`; the result is the gradient of
    the filter, `[F, C / groups, kernel[0], kernel[1]]`. `stride`,
    `padding`, `dilation` and `groups` are the convolution's: filter `f`
    of group `g = f / (F / groups)` sees only the input channels of that
    group.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad_output,
                   DenseI64ArrayAttr:$kernel,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_MaxPool2DGradOp : Kiln_InferredOp<"max_pool2d_grad"> {
  let summary = "gradient of max_pool2d with respect to its input";
  let description = [{
    Routes each element of `grad_output` to the position of its window's
    maximum in `input` (the first one in row-major order when several are
    equal, as PyTorch does); other positions get zero. Where windows
    overlap, a position that is the maximum of several gets the sum of
    their gradients. The attributes are the pooling's.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad_output,
                   DenseI64ArrayAttr:$kernel,
                   OptionalAttr<DenseI64ArrayAttr>:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_RecurrentCell : I32EnumAttr<"RecurrentCell", "recurrent cell", [
      I32EnumAttrCase<"rnn", 0>, I32EnumAttrCase<"gru", 1>,
      I32EnumAttrCase<"lstm", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_RecurrentCellAttr : EnumAttr<Kiln_Dialect, Kiln_RecurrentCell, "cell">;

def Kiln_RecurrentGradOp
    : Kiln_InferredOp<"recurrent_grad", [AttrSizedOperandSegments]> {
  let summary = "backpropagation through time of rnn, gru or lstm";
  let description = [{
    The gradients of a `kiln.rnn`, `kiln.gru` or `kiln.lstm` (`cell`) with
    respect to its input, weights, biases and initial states, given the
    forward op's operands, its `output` sequence, and the gradients of its
    results (`grad_c_n` for an LSTM only). The gate pre-activations of all
    steps are recomputed at once from the output sequence (each step's
    previous hidden state); the gradient then flows backwards through time
    in a loop, one step's gate gradients at a time, and the input and
    weight gradients are single products over all steps. `grad_h0` and
    `grad_c0` have the shape of `h_n` (`grad_c0` is zero but for an LSTM).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$w_ih,
                   Kiln_FloatTensor:$w_hh, Kiln_FloatTensor:$b_ih,
                   Kiln_FloatTensor:$b_hh, Optional<Kiln_FloatTensor>:$h0,
                   Optional<Kiln_FloatTensor>:$c0, Kiln_FloatTensor:$output,
                   Kiln_FloatTensor:$grad_output, Kiln_FloatTensor:$grad_h_n,
                   Optional<Kiln_FloatTensor>:$grad_c_n,
                   Kiln_RecurrentCellAttr:$cell, UnitAttr:$bidirectional);
  let results = (outs Kiln_FloatTensor:$grad_input,
                 Kiln_FloatTensor:$grad_w_ih, Kiln_FloatTensor:$grad_w_hh,
                 Kiln_FloatTensor:$grad_b_ih, Kiln_FloatTensor:$grad_b_hh,
                 Kiln_FloatTensor:$grad_h0, Kiln_FloatTensor:$grad_c0);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_OptimizerUpdateOp : Kiln_InferredOp<"optimizer_update"> {
  let summary = "one optimizer step for one parameter";
  let description = [{
    Applies `optimizer`'s update rule to `param` given its gradient, the
    learning rate `lr` and the 1-based step number `step` (which Adam's bias
    correction reads), and returns the new parameter and the new values of
    the optimizer's state for it (`state`, one tensor per slot, in the
    order `OptimizerAttr::getStateSlots` lists them: SGD with momentum
    `momentum_buffer`; Adam and AdamW `exp_avg`, `exp_avg_sq`; RMSProp
    `square_avg` then, with momentum, `momentum_buffer`). The formulas and
    defaults are PyTorch's.
  }];
  let arguments = (ins Kiln_FloatTensor:$param, Kiln_FloatTensor:$grad,
                   0DTensorOf<[F32]>:$lr, 0DTensorOf<[I64]>:$step,
                   Variadic<Kiln_FloatTensor>:$state,
                   Kiln_OptimizerAttr:$optimizer);
  let results = (outs Kiln_FloatTensor:$new_param,
                  Variadic<Kiln_FloatTensor>:$new_state);
  let assemblyFormat = [{
    $param `,` $grad `,` $lr `,` $step (`,` $state^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // KILN_DIALECT_GRADIENTOPS_TD
