// lenet.mlir - a LeNet-style CNN for 28x28 grayscale images (Fashion-MNIST),
// written directly in the kiln dialect: the form the model language
// (models/lenet.kiln) compiles to.
//
//   kiln-opt examples/lenet.mlir                                # verify, print
//   kiln-opt --kiln-specialize-batch=batch=64 examples/lenet.mlir

kiln.param @conv1.w : tensor<32x1x3x3xf32> = he_normal
kiln.param @conv1.b : tensor<32xf32> = zeros
kiln.param @conv2.w : tensor<64x32x3x3xf32> = he_normal
kiln.param @conv2.b : tensor<64xf32> = zeros
kiln.param @fc1.w : tensor<128x3136xf32> = he_normal
kiln.param @fc1.b : tensor<128xf32> = zeros
kiln.param @fc2.w : tensor<10x128xf32> = glorot_uniform
kiln.param @fc2.b : tensor<10xf32> = zeros

// The inference entry: images in, class probabilities out.
func.func @infer(%image: tensor<?x1x28x28xf32> {kiln.input = "image"},
                 %conv1_w: tensor<32x1x3x3xf32> {kiln.param = @conv1.w},
                 %conv1_b: tensor<32xf32> {kiln.param = @conv1.b},
                 %conv2_w: tensor<64x32x3x3xf32> {kiln.param = @conv2.w},
                 %conv2_b: tensor<64xf32> {kiln.param = @conv2.b},
                 %fc1_w: tensor<128x3136xf32> {kiln.param = @fc1.w},
                 %fc1_b: tensor<128xf32> {kiln.param = @fc1.b},
                 %fc2_w: tensor<10x128xf32> {kiln.param = @fc2.w},
                 %fc2_b: tensor<10xf32> {kiln.param = @fc2.b})
    -> tensor<?x10xf32> attributes {kiln.entry = #kiln.entry<infer>} {
  %c1 = kiln.conv2d %image, %conv1_w, %conv1_b {padding = array<i64: 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %h1 = kiln.relu %c1 : tensor<?x32x28x28xf32>
  %p1 = kiln.max_pool2d %h1 {kernel = array<i64: 2, 2>}
      : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
  %c2 = kiln.conv2d %p1, %conv2_w, %conv2_b {padding = array<i64: 1, 1>}
      : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %h2 = kiln.relu %c2 : tensor<?x64x14x14xf32>
  %p2 = kiln.max_pool2d %h2 {kernel = array<i64: 2, 2>}
      : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x7xf32>
  %flat = kiln.flatten %p2 : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %d1 = kiln.dense %flat, %fc1_w, %fc1_b
      : (tensor<?x3136xf32>, tensor<128x3136xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %h3 = kiln.relu %d1 : tensor<?x128xf32>
  %logits = kiln.dense %h3, %fc2_w, %fc2_b
      : (tensor<?x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %probs = kiln.softmax %logits : tensor<?x10xf32>
  return %probs : tensor<?x10xf32>
}

// The training entry before autodiff: the forward pass to the loss. The
// autodiff pass appends the gradients and the Adam update.
func.func @step(%image: tensor<?x1x28x28xf32> {kiln.input = "image"},
                %label: tensor<?xi32> {kiln.input = "label"},
                %conv1_w: tensor<32x1x3x3xf32> {kiln.param = @conv1.w},
                %conv1_b: tensor<32xf32> {kiln.param = @conv1.b},
                %conv2_w: tensor<64x32x3x3xf32> {kiln.param = @conv2.w},
                %conv2_b: tensor<64xf32> {kiln.param = @conv2.b},
                %fc1_w: tensor<128x3136xf32> {kiln.param = @fc1.w},
                %fc1_b: tensor<128xf32> {kiln.param = @fc1.b},
                %fc2_w: tensor<10x128xf32> {kiln.param = @fc2.w},
                %fc2_b: tensor<10xf32> {kiln.param = @fc2.b})
    -> tensor<f32> attributes {kiln.entry = #kiln.entry<train>,
                               kiln.optimizer = #kiln.optimizer<adam, {lr = 1.0e-3 : f64}>} {
  %c1 = kiln.conv2d %image, %conv1_w, %conv1_b {padding = array<i64: 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %h1 = kiln.relu %c1 : tensor<?x32x28x28xf32>
  %p1 = kiln.max_pool2d %h1 {kernel = array<i64: 2, 2>}
      : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
  %c2 = kiln.conv2d %p1, %conv2_w, %conv2_b {padding = array<i64: 1, 1>}
      : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %h2 = kiln.relu %c2 : tensor<?x64x14x14xf32>
  %p2 = kiln.max_pool2d %h2 {kernel = array<i64: 2, 2>}
      : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x7xf32>
  %flat = kiln.flatten %p2 : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %d1 = kiln.dense %flat, %fc1_w, %fc1_b
      : (tensor<?x3136xf32>, tensor<128x3136xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %h3 = kiln.relu %d1 : tensor<?x128xf32>
  %logits = kiln.dense %h3, %fc2_w, %fc2_b
      : (tensor<?x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %loss = kiln.softmax_cross_entropy %logits, %label
      : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
