//===- GradientCheckTest.cpp - Compiled gradients vs finite differences ---===//
//
// Every gradient rule, and every trainable zoo model's whole backward pass,
// against central finite differences of the loss, in f64. Each case is a
// .kiln model whose train entry uses plain SGD with lr = 1, so one step
// moves each parameter by exactly its gradient: grad = before - after; the
// same entry with learning rate 0 evaluates the loss at perturbed
// parameters. Zoo models are checked with their f32 types turned into f64.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

using namespace kiln::rt;

namespace {

struct Case {
  std::string name;
  std::string source;
};

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A zoo model in f64, trained by SGD with lr = 1.
std::string zooModel(const std::string &name) {
  std::string text = readFile(std::string(KILN_SOURCE_DIR) + "/models/" +
                              name + ".kiln");
  text = std::regex_replace(text, std::regex("\\bf32\\["), "f64[");
  text = std::regex_replace(text, std::regex("using \\w+\\([^)]*\\)"),
                            "using sgd(lr=1.0)");
  return text;
}

/// An op-level case: inputs x (f64 [N, 4, ...]) and labels y, a parameter
/// w, and `body` ending in a scalar `loss`.
std::string opModel(const std::string &name, const std::string &declarations,
                    const std::string &body) {
  return "model " + name + "\n" + declarations + "\n" + body +
         "\noutput l = loss\ntrain step minimize loss using "
         "sgd(lr=1.0)\n";
}

const std::string kDense = "input x : f64[N, 4]\ninput y : i32[N]\n"
                           "param w : f64[3, 4] = normal\n"
                           "param b : f64[3] = normal\n";

std::vector<Case> cases() {
  std::vector<Case> all = {
      {"dense_softmax_xent",
       opModel("c", kDense, "loss = softmax_cross_entropy(dense(x, w, b), y)")},
      {"unary_chain",
       opModel("c", kDense,
               "h = dense(x, w, b)\n"
               "a = exp(h) + log(h * h + 1) + sqrt(h * h + 1) + rsqrt(h * h + 1)\n"
               "c = sigmoid(h) + tanh(h) + softplus(h) + relu(h) + abs(h)\n"
               "d = leaky_relu(h, alpha=0.1) + elu(h) + clamp(h, min=-0.5, max=0.5) - h\n"
               "loss = mean(a * c + d)")},
      {"add_sub_mul_div",
       opModel("c", kDense,
               "h = dense(x, w)\n"
               "loss = sum(h * b - b / (h * h + 2) + (h - b) + (1 - h)) / 7")},
      {"minimum_maximum",
       opModel("c", kDense,
               "h = dense(x, w)\n"
               "loss = sum(minimum(h, b) - maximum(h, 0.3)) / 7")},
      {"pow",
       opModel("c", kDense,
               "h = dense(x, w)\n"
               "loss = sum(pow(h * h + 1, b * 0.5)) / 7")},
      {"select_compare",
       opModel("c", kDense,
               "h = dense(x, w, b)\n"
               "loss = mean(where(h > 0.1, h * h, -h))")},
      {"softmax_family",
       opModel("c", kDense,
               "h = dense(x, w, b)\n"
               "loss = mean(softmax(h, axis=1) * h) + mean(log_softmax(h, axis=0) * h)"
               " + mean(logsumexp(h, axes=1)) + sum(mean(h * h, axes=0, keepdims=true))")},
      {"matmul",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[4, 3] = normal\nparam v : f64[2, 3, 4] = normal\n",
               "h = matmul(x, w)\n"
               "g = matmul(v, w)\n"
               "k = matmul(h, w, transpose_b=true)\n"
               "m = matmul(w, v, transpose_a=true, transpose_b=true)\n"
               "loss = mean(g * g) + mean(k) + mean(m * m)")},
      {"shape_ops",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[6, 4] = normal\nparam v : f64[1, 3] = normal\n"
               "param u : f64[3, 4] = normal\n",
               "h = dense(x, w)\n"
               "r = reshape(h, [-1, 2, 3])\n"
               "t = transpose(r, perm=[0, 2, 1])\n"
               "p = pad(t, low=[0, 1, 0], high=[0, 0, 2])\n"
               "s = slice(p, axes=[1], starts=[1], ends=[3])\n"
               "c = concat(flatten(s), dense(x, u), axis=1)\n"
               "b = broadcast_to(v, [4, 3])\n"
               "loss = mean(c * c) + mean(b * transpose(u, perm=[1, 0]))")},
      {"conv_pool",
       opModel("c",
               "input x : f64[N, 2, 7, 7]\ninput y : i32[N]\n"
               "param w : f64[3, 2, 3, 3] = normal\nparam b : f64[3] = normal\n"
               "param u : f64[4, 3, 2, 2] = normal\n",
               "h = conv2d(x, w, b, stride=2, padding=1)\n"
               "p = max_pool2d(conv2d(x, w, padding=1), kernel=2, stride=2)\n"
               "q = upsample_nearest2d(p, scale=[2, 2])\n"
               "g = global_avg_pool2d(conv2d(h, u))\n"
               "loss = mean(h * h) + mean(q * q) + mean(g)")},
      {"pointwise_losses",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\ninput t : f64[N, 3]\n"
               "param w : f64[3, 4] = normal\n",
               "h = dense(x, w)\n"
               "loss = mse(h, t) + l1(h, t, reduction=sum) + "
               "bce(sigmoid(h), t) + bce_with_logits(h, t) + "
               "mean(mse(h, t, reduction=none))")},
      {"class_losses",
       opModel("c", kDense,
               "h = dense(x, w, b)\n"
               "loss = nll(log_softmax(h, axis=1), y) + hinge(h, y, margin=0.5) + "
               "softmax_cross_entropy(h, y, reduction=sum) + "
               "mean(softmax_cross_entropy(h, y, reduction=none))")},
      {"rnn",
       opModel("c",
               "input x : f64[N, 5, 3]\ninput y : i32[N]\n"
               "param wi : f64[1, 4, 3] = normal\nparam wh : f64[1, 4, 4] = normal\n"
               "param bi : f64[1, 4] = normal\nparam bh : f64[1, 4] = normal\n",
               "seq, h = rnn(x, wi, wh, bi, bh)\n"
               "loss = mean(seq * seq) + mean(h)")},
      {"gru_bidirectional",
       opModel("c",
               "input x : f64[N, 5, 3]\ninput y : i32[N]\n"
               "param wi : f64[2, 12, 3] = normal\nparam wh : f64[2, 12, 4] = normal\n"
               "param bi : f64[2, 12] = normal\nparam bh : f64[2, 12] = normal\n",
               "seq, h = gru(x, wi, wh, bi, bh, bidirectional=true)\n"
               "loss = mean(seq * seq) + mean(h)")},
      {"lstm_initial_state",
       opModel("c",
               "input x : f64[N, 5, 3]\ninput y : i32[N]\n"
               "param wi : f64[1, 16, 3] = normal\nparam wh : f64[1, 16, 4] = normal\n"
               "param bi : f64[1, 16] = normal\nparam bh : f64[1, 16] = normal\n"
               "param h0 : f64[1, 3, 4] = normal\nparam c0 : f64[1, 3, 4] = normal\n",
               "seq, h, c = lstm(x, wi, wh, bi, bh, h0, c0)\n"
               "loss = mean(seq * seq) + mean(h) + mean(c * c)")},
      {"lstm_bidirectional",
       opModel("c",
               "input x : f64[N, 5, 3]\ninput y : i32[N]\n"
               "param wi : f64[2, 16, 3] = normal\nparam wh : f64[2, 16, 4] = normal\n"
               "param bi : f64[2, 16] = normal\nparam bh : f64[2, 16] = normal\n",
               "seq, h, c = lstm(x, wi, wh, bi, bh, bidirectional=true)\n"
               "loss = mean(seq * seq) + mean(h)")},
      // Unit stride over channels in whole register tiles: the direct
      // convolution, input gradient and filter gradient, on a rectangular
      // input with a rectangular, dilated kernel.
      {"direct_conv",
       opModel("c",
               "input x : f64[N, 8, 5, 7]\ninput y : i32[N]\n"
               "param w : f64[3, 8, 3, 2] = normal\nparam b : f64[3] = normal\n"
               "param u : f64[2, 3, 2, 2] = normal\n",
               "h = conv2d(x, w, b, padding=[1, 2], dilation=[1, 2])\n"
               "g = conv2d(tanh(h), u, padding=1)\n"
               "loss = mean(h * h) + mean(g * g * g)")},
      {"conv_transpose_avg_pool",
       opModel("c",
               "input x : f64[N, 2, 4, 4]\ninput y : i32[N]\n"
               "param w : f64[2, 3, 3, 3] = normal\nparam b : f64[3] = normal\n",
               "h = conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)\n"
               "p = avg_pool2d(h, kernel=3)\n"
               "loss = mean(h * h) + mean(p * p)")},
      {"batch_norm",
       opModel("c",
               "input x : f64[N, 3, 4, 4]\ninput y : i32[N]\n"
               "param w : f64[3, 3, 1, 1] = normal\n"
               "param s : f64[3] = normal\nparam o : f64[3] = normal\n"
               "buffer m : f64[3] = zeros\nbuffer v : f64[3] = ones\n",
               "h = batch_norm(conv2d(x, w), s, o, m, v)\n"
               "loss = mean(h * h * h)")},
      {"layer_norm_gelu",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[6, 4] = normal\n"
               "param s : f64[3] = normal\nparam o : f64[3] = normal\n",
               "h = layer_norm(reshape(dense(x, w), [-1, 2, 3]), s, o)\n"
               "loss = mean(gelu(h, approximation=tanh) * h)")},
      {"gelu_exact_erf",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[5, 4] = normal\n",
               "h = dense(x, w)\n"
               "loss = mean(gelu(h) * h) + mean(erf(h) * h)")},
      // Depthwise (groups = channels) with stride and padding feeding a
      // dilated convolution of two groups: both filter gradients, and the
      // second convolution's grouped input gradient on the way to the
      // first's.
      {"grouped_conv",
       opModel("c",
               "input x : f64[N, 4, 7, 7]\ninput y : i32[N]\n"
               "param w1 : f64[4, 1, 3, 3] = normal\n"
               "param w0 : f64[4, 4, 1, 1] = normal\n"
               "param b1 : f64[4] = normal\n"
               "param w2 : f64[6, 2, 3, 3] = normal\n",
               "h = tanh(conv2d(x, w1, b1, stride=2, padding=1, groups=4))\n"
               // A 1 x 1 convolution padded wider than its kernel: the
               // input gradient crops instead of padding.
               "k = conv2d(h, w0, padding=1)\n"
               "g = conv2d(k, w2, padding=2, dilation=2, groups=2)\n"
               "loss = mean(g * g * g)")},
      {"grouped_conv_transpose",
       opModel("c",
               "input x : f64[N, 4, 3, 3]\ninput y : i32[N]\n"
               "param w1 : f64[4, 2, 1, 1] = normal\n"
               "param w2 : f64[4, 3, 3, 3] = normal\n"
               "param b2 : f64[6] = normal\n",
               "h = tanh(conv2d(x, w1, groups=2))\n"
               "g = conv_transpose2d(h, w2, b2, stride=2, padding=1, "
               "output_padding=1, groups=2)\n"
               "loss = mean(g * g * g)")},
      {"max_min_gather",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[3, 4] = normal\nparam t : f64[5, 3] = normal\n",
               "h = dense(x, w)\n"
               "e = gather(t, y)\n"
               "loss = sum(max(h, axes=[1])) + mean(min(h * e, axes=[0], keepdims=true))"
               " + mean(e * e)")},
      // Overlapping and padded windows: gradients of several windows add
      // up in one input pixel.
      {"overlapping_pools",
       opModel("c",
               "input x : f64[N, 2, 7, 6]\ninput y : i32[N]\n"
               "param w : f64[3, 2, 1, 1] = normal\n",
               "h = tanh(conv2d(x, w))\n"
               "m = max_pool2d(h, kernel=3, stride=2, padding=1)\n"
               "a = avg_pool2d(h, kernel=3, stride=1, padding=1, "
               "count_include_pad=false)\n"
               "b = avg_pool2d(h, kernel=[2, 3], stride=[1, 2], "
               "padding=[1, 1])\n"
               "loss = mean(m * m * m) + mean(a * a * a) + mean(b * b)")},
      {"strided_slice_gather_axis_concat",
       opModel("c",
               "input x : f64[N, 4]\ninput y : i32[N]\n"
               "param w : f64[9, 4] = normal\nparam t : f64[3, 5] = normal\n",
               "h = dense(x, w)\n"
               "s = slice(h, axes=[1], starts=[1], ends=[9], steps=[3])\n"
               "e = transpose(gather(t, y, axis=1), perm=[1, 0])\n"
               "c = concat(s, e, axis=-1)\n"
               "loss = mean(c * c * c)")},
      {"dropout",
       opModel("c", kDense,
               "h = dense(x, w, b)\nloss = mean(dropout(h, rate=0.3) * h)")},
  };
  for (const char *zoo : {"mlp", "lenet", "rnn_classifier", "gru_classifier",
                          "bilstm_classifier", "char_lstm", "dcgan", "vae",
                          "autoencoder",
                          "denoising_autoencoder", "gan", "logistic_regression",
                          "linear_svm", "linear_regression"})
    all.push_back({std::string("zoo_") + zoo, zooModel(zoo)});
  return all;
}

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

class GradientCheck : public ::testing::TestWithParam<Case> {};

/// Random inputs: pixels-like values in [0, 1), labels in [0, 3).
std::map<std::string, Tensor> makeInputs(const EntrySpec &entry,
                                         int64_t batch) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::map<std::string, Tensor> inputs;
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    std::vector<int64_t> shape = argument.type.shape;
    for (int64_t &dim : shape)
      if (dim < 0)
        dim = batch;
    Tensor tensor(argument.type.dtype, shape);
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      switch (tensor.dtype) {
      case DType::F64:
        tensor.data<double>()[i] = unit(rng);
        break;
      case DType::I32:
        tensor.data<int32_t>()[i] = static_cast<int32_t>(rng() % 3);
        break;
      case DType::I64:
        tensor.data<int64_t>()[i] = static_cast<int64_t>(rng() % 3);
        break;
      default:
        ADD_FAILURE() << "input " << argument.name << " is not f64";
      }
    }
    inputs.emplace(argument.name, std::move(tensor));
  }
  return inputs;
}

TEST_P(GradientCheck, MatchesCentralDifferences) {
  const Case &c = GetParam();
  std::string dir = ::testing::TempDir() + "gradcheck-" + c.name;
  std::string source = dir + ".kiln", kmod = dir + ".kmod";
  std::ofstream(source) << c.source;
  std::string command = std::string(KILN_KILNC) + " " + source + " -o " + kmod;
  ASSERT_EQ(std::system(command.c_str()), 0) << c.source;
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(kmod, error);
  ASSERT_TRUE(module) << error;

  int checked = 0, kinks = 0;
  for (const EntrySpec &entry : module->entries()) {
    if (!entry.isTrain)
      continue;
    std::map<std::string, Tensor> inputs = makeInputs(entry, 3);
    Session stepped(*module, 7);
    std::vector<Tensor> before = stepped.params(), outputs;
    ASSERT_TRUE(stepped.run(entry.name, inputs, outputs, error)) << error;

    // The loss at other parameter values: the train entry itself with
    // learning rate 0, its step count reset each time so that it draws the
    // random numbers (noise, dropout masks) of the step taken above.
    // Buffers (batch-norm statistics) are reset too, as the entry updates
    // them on every run.
    Session probe(*module, 7);
    RunOptions frozen;
    frozen.learningRate = 0.0f;
    auto loss = [&]() {
      for (Tensor &slot : probe.optimizerState()[entry.name])
        std::fill(slot.bytes.begin(), slot.bytes.end(), 0);
      for (size_t p = 0; p < module->params().size(); ++p)
        if (module->params()[p].buffer)
          probe.params()[p] = before[p];
      std::vector<Tensor> out;
      EXPECT_TRUE(probe.run(entry.name, inputs, out, error, frozen)) << error;
      return out.at(0).data<double>()[0];
    };
    for (const ResultSpec &result : entry.results) {
      if (result.role != ResultSpec::Role::Update ||
          module->params()[result.paramIndex].buffer)
        continue;
      int index = result.paramIndex;
      Tensor &param = probe.params()[index];
      int64_t count = param.numElements();
      // A spread of elements, first and last included.
      for (int64_t k = 0; k < std::min<int64_t>(count, 6); ++k) {
        int64_t i = count <= 6 ? k : k * (count - 1) / 5;
        double original = param.data<double>()[i];
        auto centralDifference = [&](double h) {
          param.data<double>()[i] = original + h;
          double up = loss();
          param.data<double>()[i] = original - h;
          double down = loss();
          param.data<double>()[i] = original;
          return (up - down) / (2 * h);
        };
        double numeric = centralDifference(1e-6);
        double tolerance = 1e-6 * std::max(1.0, std::fabs(numeric));
        // A kink of relu or leaky_relu within the step (likely among the
        // tens of thousands of activations of a conv layer) makes the
        // estimate depend on the step: such an element is not checked.
        if (std::fabs(centralDifference(5e-7) - numeric) > tolerance) {
          ++kinks;
          continue;
        }
        double analytic = before[index].data<double>()[i] -
                          stepped.params()[index].data<double>()[i];
        EXPECT_NEAR(analytic, numeric, tolerance)
            << c.name << " entry " << entry.name << ": d loss / d "
            << module->params()[index].name << "[" << i << "]";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0) << "no trained parameter was checked";
  EXPECT_LE(kinks, checked / 4) << "too many elements sit at a kink";
}

INSTANTIATE_TEST_SUITE_P(
    Ops, GradientCheck, ::testing::ValuesIn(cases()),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

} // namespace
