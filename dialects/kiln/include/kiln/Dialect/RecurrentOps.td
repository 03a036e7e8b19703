//===- RecurrentOps.td - Recurrent layers --------------------*- tablegen -*-===//
//
// Single-layer RNN, LSTM and GRU over batch-first sequences, optionally
// bidirectional. Weights follow PyTorch's layout and gate order, with the
// direction stacked in front.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_RECURRENTOPS_TD
#define KILN_DIALECT_RECURRENTOPS_TD

include "kiln/Dialect/KilnBase.td"

class Kiln_RecurrentOp<string mnemonic, string cell, int gates,
                       list<Trait> traits = []>
    : Kiln_InferredOp<mnemonic, traits> {
  let summary = "single-layer " # cell # " over a batch-first sequence";
  let results = (outs Kiln_FloatTensor:$output, Kiln_FloatTensor:$h_n);
  let assemblyFormat = [{
    $input `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh (`initial` `(` $h0^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Gate blocks stacked in the weights' second dimension.
    static constexpr int64_t kGateCount = }] # gates # [{;
  }];
  let extraInferredOpDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::detail::inferRecurrent(
          loc, getOperationName(), ::kiln::detail::getRecurrentOperands(adaptor, kGateCount),
          types);
    }
  }];
}

defvar Kiln_RecurrentShapes = [{
    `input` is `[N, T, F]`. With `D` directions (2 when `bidirectional`,
    else 1) and hidden size `H`, the weights are `w_ih : [D, G*H, F]`,
    `w_hh : [D, G*H, H]`, and the biases `b_ih`, `b_hh : [D, G*H]`, where
    `G` is the number of gates; direction 1 runs from the last step to the
    first. `output` is `[N, T, D*H]` (the directions' hidden states side by
    side), `h_n` is the final hidden state `[D, N, H]`. The optional initial
    state defaults to zeros.
}];

def Kiln_RnnOp : Kiln_RecurrentOp<"rnn", "Elman RNN (tanh)", 1> {
  let description = [{
    `h_t = tanh(x_t · w_ihᵀ + b_ih + h_{t-1} · w_hhᵀ + b_hh)`, G = 1.
  }] # Kiln_RecurrentShapes;
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$w_ih,
                   Kiln_FloatTensor:$w_hh, Kiln_FloatTensor:$b_ih,
                   Kiln_FloatTensor:$b_hh, Optional<Kiln_FloatTensor>:$h0,
                   UnitAttr:$bidirectional);
}

def Kiln_GruOp : Kiln_RecurrentOp<"gru", "GRU", 3> {
  let description = [{
    PyTorch's GRU cell, gates in the order (r, z, n), G = 3:
    `r = σ(W_ir x + b_ir + W_hr h + b_hr)`,
    `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
    `n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn))`,
    `h' = (1 - z) ∘ n + z ∘ h`.
  }] # Kiln_RecurrentShapes;
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$w_ih,
                   Kiln_FloatTensor:$w_hh, Kiln_FloatTensor:$b_ih,
                   Kiln_FloatTensor:$b_hh, Optional<Kiln_FloatTensor>:$h0,
                   UnitAttr:$bidirectional);
}

def Kiln_LstmOp : Kiln_RecurrentOp<"lstm", "LSTM", 4,
                                   [AttrSizedOperandSegments]> {
  let description = [{
    PyTorch's LSTM cell, gates in the order (i, f, g, o), G = 4:
    `c' = σ(f) ∘ c + σ(i) ∘ tanh(g)`, `h' = σ(o) ∘ tanh(c')`. Besides
    `output` and `h_n` it returns the final cell state `c_n : [D, N, H]`;
    the initial states `h0` and `c0` are given together or not at all.
  }] # Kiln_RecurrentShapes;
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$w_ih,
                   Kiln_FloatTensor:$w_hh, Kiln_FloatTensor:$b_ih,
                   Kiln_FloatTensor:$b_hh, Optional<Kiln_FloatTensor>:$h0,
                   Optional<Kiln_FloatTensor>:$c0, UnitAttr:$bidirectional);
  let results = (outs Kiln_FloatTensor:$output, Kiln_FloatTensor:$h_n,
                 Kiln_FloatTensor:$c_n);
  let assemblyFormat = [{
    $input `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh
    (`initial` `(` $h0^ `,` $c0 `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

#endif // KILN_DIALECT_RECURRENTOPS_TD
