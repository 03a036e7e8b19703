// RUN: kiln-opt %s --kiln-specialize-batch=batch=0 --verify-diagnostics

// expected-error @+1 {{kiln-specialize-batch needs batch >= 1, got 0}}
module {
}
