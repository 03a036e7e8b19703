//===- ModelOps.td - Model structure: parameters -------------*- tablegen -*-===//
//
// A module holds its parameters as symbols; entry functions take them as
// arguments (see the dialect description).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_MODELOPS_TD
#define KILN_DIALECT_MODELOPS_TD

include "kiln/Dialect/KilnBase.td"
include "kiln/Dialect/KilnAttrs.td"
include "mlir/IR/SymbolInterfaces.td"

def Kiln_ParamOp : Kiln_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a model parameter";
  let description = [{
    Declares a parameter with a static shape, its initializer and the group
    it belongs to. The runtime owns its storage; entries read it through an
    argument marked `{kiln.param = @name}`.

    Initializers: `zeros`, `ones`, `constant` (`value`), `normal` (`mean`,
    default 0, and `std`, default 1), `uniform` (`low`, `high`, default
    0 and 1), and the fan-based `glorot_uniform`, `glorot_normal` (Xavier;
    fan-in plus fan-out), `he_uniform`, `he_normal` (Kaiming; fan-in), all
    with an optional `gain` (default 1 for Glorot, √2 for He). Fans follow
    PyTorch: dimension 1 times the receptive field is the fan-in, dimension
    0 times it the fan-out. `data` starts from the given values (`data`,
    of the parameter's type: an imported model's trained weights), which
    the module carries.

    `group` names the parameter group that a train entry can select (a
    `def` in the model language gives its parameters its own name as
    group). A `buffer` is state that the forward pass updates but no
    optimizer trains, such as batch-norm running statistics.

    ```mlir
    kiln.param @fc1.w : tensor<128x3136xf32> = he_normal
    kiln.param @gen.w1 : tensor<256x64xf32> = normal {std = 2.0e-02 : f64, group = "generator"}
    kiln.param @bn.mean : tensor<32xf32> = zeros {buffer}
    kiln.param @fc.b : tensor<2xf32> = data {data = dense<[0.5, -1.0]> : tensor<2xf32>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                   TypeAttrOf<Kiln_Tensor>:$type, Kiln_InitKindAttr:$init,
                   OptionalAttr<F64Attr>:$value, OptionalAttr<F64Attr>:$mean,
                   OptionalAttr<F64Attr>:$std, OptionalAttr<F64Attr>:$low,
                   OptionalAttr<F64Attr>:$high, OptionalAttr<F64Attr>:$gain,
                   OptionalAttr<StrAttr>:$group, UnitAttr:$buffer,
                   OptionalAttr<ElementsAttr>:$data);
  let assemblyFormat = "$sym_name `:` $type `=` $init attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

#endif // KILN_DIALECT_MODELOPS_TD
