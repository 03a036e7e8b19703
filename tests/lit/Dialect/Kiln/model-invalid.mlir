// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{'kiln.param' op parameter @w must have a static shape, got 'tensor<?x4xf32>'}}
kiln.param @w : tensor<?x4xf32> = zeros

// -----

// expected-error @+1 {{'kiln.param' op initializer 'zeros' takes no 'std' argument}}
kiln.param @w : tensor<4xf32> = zeros {std = 1.0 : f64}

// -----

// expected-error @+1 {{'kiln.param' op initializer 'constant' needs a 'value' argument}}
kiln.param @w : tensor<4xf32> = constant

// -----

// expected-error @+1 {{'kiln.param' op random initializer 'normal' needs a float parameter, got 'tensor<4xi32>'}}
kiln.param @w : tensor<4xi32> = normal

// -----

// expected-error @+1 {{'kiln.param' op initializer 'data' needs a 'data' argument}}
kiln.param @w : tensor<2xf32> = data

// -----

// expected-error @+1 {{'kiln.param' op only initializer 'data' takes a 'data' argument}}
kiln.param @w : tensor<2xf32> = zeros {data = dense<[1.0, 2.0]> : tensor<2xf32>}

// -----

// expected-error @+1 {{'kiln.param' op 'data' must be of the parameter's type 'tensor<3xf32>', got 'tensor<2xf32>'}}
kiln.param @w : tensor<3xf32> = data {data = dense<[1.0, 2.0]> : tensor<2xf32>}

// -----

// expected-error @+1 {{'kiln.param' op 'std' must be positive, got 0}}
kiln.param @w : tensor<4xf32> = normal {std = 0.0 : f64}

// -----

// expected-error @+1 {{'kiln.param' op 'gain' must be positive, got -1}}
kiln.param @w : tensor<4x4xf32> = he_normal {gain = -1.0 : f64}

// -----

// expected-error @+1 {{'kiln.param' op 'low' (1) must be below 'high' (0.5)}}
kiln.param @w : tensor<4xf32> = uniform {low = 1.0 : f64, high = 0.5 : f64}

// -----

// expected-error @+1 {{'kiln.param' op initializer 'he_uniform' needs a parameter of rank 2 or more to compute fans, got 'tensor<4xf32>'}}
kiln.param @w : tensor<4xf32> = he_uniform

// -----

// expected-error @+1 {{'kiln.param' op 'group' must not be empty}}
kiln.param @w : tensor<4xf32> = zeros {group = ""}

// -----

func.func @nested() {
  // expected-error @+1 {{'kiln.param' op expects parent op 'builtin.module'}}
  kiln.param @w : tensor<4xf32> = zeros
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 refers to unknown parameter @missing}}
func.func @unknown_param(%w: tensor<4xf32> {kiln.param = @missing}) {
  return
}

// -----

kiln.param @w : tensor<4xf32> = zeros
// expected-error @+1 {{'func.func' op argument #0 has type 'tensor<5xf32>' but parameter @w has type 'tensor<4xf32>'}}
func.func @param_type(%w: tensor<5xf32> {kiln.param = @w}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.param' must name a parameter symbol}}
func.func @param_not_symbol(%w: tensor<4xf32> {kiln.param = "w"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.input' must be a non-empty input name}}
func.func @input_name(%x: tensor<4xf32> {kiln.input = ""}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 is a random key and must be tensor<2xi64>, got 'tensor<2xi32>'}}
func.func @key_type(%k: tensor<2xi32> {kiln.rng_key}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op unknown kiln argument attribute 'kiln.weight'}}
func.func @unknown_arg_attr(%x: tensor<4xf32> {kiln.weight}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op unknown kiln attribute 'kiln.frobnicate'}}
func.func @unknown_attr() attributes {kiln.frobnicate} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.entry' must be #kiln.entry<infer> or #kiln.entry<train>}}
func.func @entry_kind() attributes {kiln.entry = "train"} {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of entry 'argument_role' must have exactly one of 'kiln.param', 'kiln.input', 'kiln.rng_key', 'kiln.state', 'kiln.learning_rate' or 'kiln.step'}}
func.func @argument_role(%x: tensor<4xf32>) attributes {kiln.entry = #kiln.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of entry 'two_roles' must have exactly one of 'kiln.param', 'kiln.input', 'kiln.rng_key', 'kiln.state', 'kiln.learning_rate' or 'kiln.step'}}
func.func @two_roles(%x: tensor<2xi64> {kiln.input = "x", kiln.rng_key}) attributes {kiln.entry = #kiln.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op infer entry 'infer_optimizer' takes no optimizer or parameter group}}
func.func @infer_optimizer() attributes {kiln.entry = #kiln.entry<infer>, kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op train entry 'train_without_optimizer' needs a 'kiln.optimizer' attribute}}
func.func @train_without_optimizer(%x: tensor<f32> {kiln.input = "x"}) -> tensor<f32> attributes {kiln.entry = #kiln.entry<train>} {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op train entry 'loss_not_scalar' must return its loss, a rank-0 float tensor, first}}
func.func @loss_not_scalar(%x: tensor<4xf32> {kiln.input = "x"}) -> tensor<4xf32> attributes {kiln.entry = #kiln.entry<train>, kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.optimizer' needs a train entry}}
func.func @optimizer_without_entry() attributes {kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  return
}

// -----

kiln.param @w : tensor<4xf32> = zeros {group = "generator"}
// expected-error @+1 {{'func.func' op parameter group 'discriminator' has no parameters}}
func.func @unknown_group(%x: tensor<f32> {kiln.input = "x"}) -> tensor<f32> attributes {kiln.entry = #kiln.entry<train>, kiln.group = "discriminator", kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.group' must be a string}}
func.func @group_type(%x: tensor<f32> {kiln.input = "x"}) -> tensor<f32> attributes {kiln.entry = #kiln.entry<train>, kiln.group = 3, kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.optimizer' must be a #kiln.optimizer, got "adam"}}
func.func @optimizer_type(%x: tensor<f32> {kiln.input = "x"}) -> tensor<f32> attributes {kiln.entry = #kiln.entry<train>, kiln.optimizer = "adam"} {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{optimizer 'sgd' has no hyperparameter 'beta1'}}
func.func @hyperparameter_name() attributes {a = #kiln.optimizer<sgd, {beta1 = 0.9 : f64}>} {
  return
}

// -----

// expected-error @+1 {{hyperparameter 'lr' must be a float, got 1 : i64}}
func.func @hyperparameter_type() attributes {a = #kiln.optimizer<adam, {lr = 1 : i64}>} {
  return
}

// -----

// expected-error @+1 {{hyperparameter 'beta2' is out of range: 1}}
func.func @hyperparameter_range() attributes {a = #kiln.optimizer<adam, {beta2 = 1.0 : f64}>} {
  return
}

// -----

// expected-error @+1 {{hyperparameter 'nesterov' must be a bool}}
func.func @nesterov_type() attributes {a = #kiln.optimizer<sgd, {nesterov = 1.0 : f64}>} {
  return
}

// -----

// expected-error @+1 {{'kiln.param' op 'kiln.entry' is only valid on functions}}
kiln.param @w : tensor<4xf32> = zeros {kiln.entry = #kiln.entry<infer>}

// -----

// expected-error @+1 {{'func.func' op 'kiln.output' must be a non-empty output name}}
func.func @output_name() -> (tensor<f32> {kiln.output = ""}) {
  %0 = kiln.constant dense<1.0> : tensor<f32>
  return %0 : tensor<f32>
}

// -----

kiln.param @w : tensor<4xf32> = zeros
// expected-error @+1 {{'func.func' op result #0 must update a buffer, but @w is not one}}
func.func @update_not_buffer() -> (tensor<4xf32> {kiln.update = @w}) {
  %0 = kiln.constant dense<1.0> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

kiln.param @mean : tensor<4xf32> = zeros {buffer}
// expected-error @+1 {{'func.func' op result #0 has type 'tensor<5xf32>' but buffer @mean has type 'tensor<4xf32>'}}
func.func @update_type() -> (tensor<5xf32> {kiln.update = @mean}) {
  %0 = kiln.constant dense<1.0> : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// expected-error @+1 {{'func.func' op unknown kiln result attribute 'kiln.result'}}
func.func @unknown_result_attr() -> (tensor<f32> {kiln.result}) {
  %0 = kiln.constant dense<1.0> : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @layout_value(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+1 {{'kiln.conv2d' op 'kiln.layout' must be "planes"}}
  %0 = kiln.conv2d %x, %w {kiln.layout = "nhwc"} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @layout_on_other_op(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'kiln.relu' op 'kiln.layout' is only valid on convolutions and filter gradients}}
  %0 = kiln.relu %x {kiln.layout = "planes"} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

kiln.param @v : tensor<4xf32> = zeros
func.func @train(%w: tensor<4xf32> {kiln.param = @v}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>, kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  %0 = kiln.sum %w : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
// expected-error @+1 {{'func.func' op 'kiln.loss_of' needs an infer entry}}
func.func @loss_of_train(%w: tensor<4xf32> {kiln.param = @v}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>, kiln.optimizer = #kiln.optimizer<sgd, {}>, kiln.loss_of = @train} {
  %0 = kiln.sum %w : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @helper() {
  return
}
// expected-error @+1 {{'func.func' op 'kiln.loss_of' must name a train entry, got @helper}}
func.func @loss_of_helper() attributes {kiln.entry = #kiln.entry<infer>, kiln.loss_of = @helper} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.loss_of' must name a train entry, got "step"}}
func.func @loss_of_string() attributes {kiln.entry = #kiln.entry<infer>, kiln.loss_of = "step"} {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 is noise and must be a float input, got 'tensor<?xi32>'}}
func.func @integer_noise(%z: tensor<?xi32> {kiln.input = "z", kiln.noise = #kiln.noise<normal, {}>}) attributes {kiln.entry = #kiln.entry<infer>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 is noise and must be a float input, got 'tensor<2x4xf32>'}}
func.func @param_noise(%w: tensor<2x4xf32> {kiln.param = @w, kiln.noise = #kiln.noise<normal, {}>}) {
  return
}
kiln.param @w : tensor<2x4xf32> = zeros

// -----

// expected-error @+1 {{'func.func' op 'kiln.noise' must be a #kiln.noise}}
func.func @noise_value(%z: tensor<?xf32> {kiln.input = "z", kiln.noise = 1.0}) {
  return
}

// -----

// expected-error @+1 {{noise 'normal' has no parameter 'low'; it takes mean and std}}
func.func @noise_parameter(%z: tensor<?xf32> {kiln.input = "z", kiln.noise = #kiln.noise<normal, {low = 0.0 : f64}>}) {
  return
}

// -----

// expected-error @+1 {{normal noise needs std > 0, got 0}}
func.func @noise_std(%z: tensor<?xf32> {kiln.input = "z", kiln.noise = #kiln.noise<normal, {std = 0.0 : f64}>}) {
  return
}

// -----

// expected-error @+1 {{uniform noise needs low < high, got [1, 1)}}
func.func @noise_range(%z: tensor<?xf32> {kiln.input = "z", kiln.noise = #kiln.noise<uniform, {low = 1.0 : f64}>}) {
  return
}
