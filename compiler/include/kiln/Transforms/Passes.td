//===- Passes.td - Kiln compiler passes ----------------------*- tablegen -*-===//
//
// Every pass of the Kiln compiler, grouped by stage, alphabetical within a
// group.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Shape passes
//===----------------------------------------------------------------------===//

def KilnInferShapes : Pass<"kiln-infer-shapes", "mlir::ModuleOp"> {
  let summary = "Refine result types from the kiln ops' type inference";
  let description = [{
    Kiln ops may carry result types less static than their inference finds
    (a `?` where the size is known), for instance after a function argument
    was specialized. This pass walks each function in program order,
    re-infers every kiln op's results, and replaces each dynamic size it can
    prove. Uses by ops outside the kiln dialect keep their old type through a
    `tensor.cast`. A function that nothing calls also gets its result types
    refined.

    Before:
    ```mlir
    func.func @f(%x: tensor<8x4xf32>) -> tensor<?x4xf32> {
      %0 = kiln.relu %x : tensor<8x4xf32>
      %1 = kiln.add %0, %0 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
      return %1 : tensor<?x4xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
      %0 = kiln.relu %x : tensor<8x4xf32>
      %1 = kiln.add %0, %0 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
      return %1 : tensor<8x4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def KilnSpecializeBatch : Pass<"kiln-specialize-batch", "mlir::ModuleOp"> {
  let summary = "Fix the dynamic batch size of entry inputs";
  let description = [{
    Sets the dynamic leading dimension of every `kiln.input` argument of
    every entry function to `batch`, then refines the types that follow from
    it (as `kiln-infer-shapes` does). Useful to compile a module for one
    known batch size, or to see the shapes a batch produces.

    Before (`--kiln-specialize-batch=batch=64`):
    ```mlir
    func.func @infer(%x: tensor<?x784xf32> {kiln.input = "x"}) -> tensor<?x784xf32>
        attributes {kiln.entry = #kiln.entry<infer>} {
      %0 = kiln.relu %x : tensor<?x784xf32>
      return %0 : tensor<?x784xf32>
    }
    ```
    After:
    ```mlir
    func.func @infer(%x: tensor<64x784xf32> {kiln.input = "x"}) -> tensor<64x784xf32>
        attributes {kiln.entry = #kiln.entry<infer>} {
      %0 = kiln.relu %x : tensor<64x784xf32>
      return %0 : tensor<64x784xf32>
    }
    ```
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "The batch size to fix (at least 1)">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
