//===- KilnMutator.cpp - Mutations that keep a .kiln file mostly valid ----===//
//
// libFuzzer's custom mutator for the .kiln fuzzers. Random bytes rarely get
// past the lexer; the mistakes users make are a wrong name, a wrong number,
// a missing or extra token, a line too many or too few. So most mutations
// work on tokens and lines. Half keep the model well-typed more often than
// not, so that mutants reach the compiler behind the type checker: a call
// to a built-in replaced by another with as many operands, an operand by
// another value of the model, an operand wrapped in a call. The others
// are a user's typos: a name replaced by another name of the file or of
// the language (its keywords, built-ins and their attributes), a number by
// a boundary value or a neighbour, a dimension added or dropped, a token
// deleted, duplicated or swapped, a line deleted, duplicated or moved,
// every use of a name renamed. One
// mutation in five is libFuzzer's own byte-level one, which keeps the
// lexer's error paths covered too. The crossover splices lines of two
// inputs. KILN_FUZZ_BYTE_LEVEL=1 in the environment turns the structural
// mutations off, for comparison.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Text/OpSignatures.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
                                   size_t maxSize);

namespace {

enum class TokenKind { Name, Number, Punctuation, Space, Newline, Comment };

struct Token {
  TokenKind kind;
  std::string text;
};

bool isNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

/// A tokenizer of its own, not the front end's: the mutator must not
/// inherit the lexer's mistakes.
std::vector<Token> tokenize(const std::string &text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char c = text[i];
    TokenKind kind;
    if (c == '\n') {
      kind = TokenKind::Newline;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      kind = TokenKind::Space;
      while (i < text.size() &&
             (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
        ++i;
    } else if (c == '#') {
      kind = TokenKind::Comment;
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (isNameStart(c)) {
      kind = TokenKind::Name;
      while (i < text.size() && isNameChar(text[i]))
        ++i;
    } else if (isDigit(c)) {
      kind = TokenKind::Number;
      while (i < text.size() &&
             (isDigit(text[i]) || text[i] == '.' || text[i] == 'e' ||
              ((text[i] == '-' || text[i] == '+') && text[i - 1] == 'e')))
        ++i;
    } else {
      kind = TokenKind::Punctuation;
      ++i;
    }
    tokens.push_back({kind, text.substr(start, i - start)});
  }
  return tokens;
}

std::string join(const std::vector<Token> &tokens) {
  std::string text;
  for (const Token &token : tokens)
    text += token.text;
  return text;
}

/// The language's own words: keywords, element types, initializers,
/// optimizers, built-ins and their keyword attributes.
const std::vector<std::string> &vocabulary() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> all = {
        "model", "config", "input", "param", "buffer", "constant", "output",
        "train", "minimize", "using", "over", "group", "def", "return",
        "f32", "f64", "i32", "i64", "i1", "N", "zeros", "ones", "normal",
        "uniform", "he_normal", "he_uniform", "glorot_normal",
        "glorot_uniform", "xavier_uniform", "kaiming_normal", "sgd", "adam",
        "adamw", "rmsprop", "momentum", "lr", "true", "false", "mean", "sum",
        "none", "exact", "tanh"};
    for (const kiln::text::OpSignature &signature :
         kiln::text::getOpSignatures()) {
      all.push_back(signature.name.str());
      for (const kiln::text::AttrSpec &attr : signature.attrs)
        all.push_back(attr.name.str());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }();
  return words;
}

/// Boundary values: zero and one, negative, huge, overflowing int64,
/// fractional, exponent forms.
const char *const kNumbers[] = {
    "0",   "1",   "2",     "3",          "7",    "-1",  "-3",
    "64",  "0.5", "1e-8",  "1e30",       "1e400", "65536",
    "4294967296", "9223372036854775807", "9223372036854775808",
    "0.0", "1.", "100000"};

/// Built-ins of one tensor operand, to wrap an operand in.
const char *const kUnaryCalls[] = {"relu",    "tanh",   "sigmoid", "exp",
                                   "log",     "neg",    "flatten", "softmax",
                                   "transpose", "sqrt", "abs",     "mean"};

const char *const kPunctuation[] = {"(", ")", "[", "]", ",", ":",
                                    "=", "-", "+", "*", "/", "."};

class Mutator {
public:
  Mutator(std::vector<Token> tokens, unsigned seed)
      : tokens(std::move(tokens)), rng(seed) {}

  /// Applies one random structural mutation; false if it found nothing
  /// to act on.
  bool mutateOnce() {
    // Half the time an edit that keeps the model well-typed more often
    // than not, so that mutants get past the type checker into the
    // compiler; otherwise any edit.
    if (pick(2)) {
      switch (pick(3)) {
      case 0:
        return replaceCallee();
      case 1:
        return replaceOperand();
      default:
        return wrapInCall();
      }
    }
    switch (pick(11)) {
    case 0:
      return replaceName();
    case 1:
      return replaceNumber();
    case 2:
      return deleteToken();
    case 3:
      return duplicateToken();
    case 4:
      return insertPunctuation();
    case 5:
      return swapTokens();
    case 6:
      return editLines(LineEdit::Delete);
    case 7:
      return editLines(LineEdit::Duplicate);
    case 8:
      return editLines(LineEdit::Move);
    case 9:
      return renameEverywhere();
    default:
      return pick(2) ? wrapInCall() : editDimensions();
    }
  }

  const std::vector<Token> &result() const { return tokens; }

private:
  enum class LineEdit { Delete, Duplicate, Move };

  size_t pick(size_t n) { return n ? rng() % n : 0; }

  /// A random index of a token of `kind`, or -1.
  long pickToken(TokenKind kind) {
    std::vector<size_t> found;
    for (size_t i = 0; i < tokens.size(); ++i)
      if (tokens[i].kind == kind)
        found.push_back(i);
    return found.empty() ? -1 : static_cast<long>(found[pick(found.size())]);
  }

  /// Any token that is neither space nor a comment.
  long pickSolidToken() {
    std::vector<size_t> found;
    for (size_t i = 0; i < tokens.size(); ++i)
      if (tokens[i].kind != TokenKind::Space &&
          tokens[i].kind != TokenKind::Comment)
        found.push_back(i);
    return found.empty() ? -1 : static_cast<long>(found[pick(found.size())]);
  }

  std::string randomName() {
    // Half the time a name of this file, so that references stay resolvable.
    long other = pick(2) ? pickToken(TokenKind::Name) : -1;
    if (other >= 0)
      return tokens[other].text;
    const std::vector<std::string> &words = vocabulary();
    return words[pick(words.size())];
  }

  bool replaceName() {
    long i = pickToken(TokenKind::Name);
    if (i < 0)
      return false;
    tokens[i].text = randomName();
    return true;
  }

  bool replaceNumber() {
    long i = pickToken(TokenKind::Number);
    if (i < 0)
      return false;
    std::string &text = tokens[i].text;
    if (pick(2) || text.find_first_of(".e") != std::string::npos) {
      text = kNumbers[pick(std::size(kNumbers))];
      return true;
    }
    // A neighbour of an integer: off by one, doubled, halved (wrapping
    // past int64, which the front end must refuse, not the mutator).
    unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
    unsigned long long neighbours[] = {value + 1, value - 1, value * 2,
                                       value / 2};
    text = std::to_string(neighbours[pick(4)]);
    return true;
  }

  bool deleteToken() {
    long i = pickSolidToken();
    if (i < 0)
      return false;
    tokens.erase(tokens.begin() + i);
    return true;
  }

  bool duplicateToken() {
    long i = pickSolidToken();
    if (i < 0)
      return false;
    tokens.insert(tokens.begin() + i, tokens[i]);
    return true;
  }

  bool insertPunctuation() {
    size_t at = pick(tokens.size() + 1);
    tokens.insert(tokens.begin() + at,
                  {TokenKind::Punctuation,
                   kPunctuation[pick(std::size(kPunctuation))]});
    return true;
  }

  bool swapTokens() {
    long a = pickSolidToken(), b = pickSolidToken();
    if (a < 0 || a == b)
      return false;
    std::swap(tokens[a], tokens[b]);
    return true;
  }

  /// Token ranges [begin, end) of each line, its newline included.
  std::vector<std::pair<size_t, size_t>> lines() const {
    std::vector<std::pair<size_t, size_t>> ranges;
    size_t begin = 0;
    for (size_t i = 0; i < tokens.size(); ++i)
      if (tokens[i].kind == TokenKind::Newline) {
        ranges.push_back({begin, i + 1});
        begin = i + 1;
      }
    if (begin < tokens.size())
      ranges.push_back({begin, tokens.size()});
    return ranges;
  }

  bool editLines(LineEdit edit) {
    std::vector<std::pair<size_t, size_t>> ranges = lines();
    if (ranges.empty())
      return false;
    auto [begin, end] = ranges[pick(ranges.size())];
    std::vector<Token> line(tokens.begin() + begin, tokens.begin() + end);
    if (line.empty() || line.back().kind != TokenKind::Newline)
      line.push_back({TokenKind::Newline, "\n"});
    if (edit != LineEdit::Duplicate)
      tokens.erase(tokens.begin() + begin, tokens.begin() + end);
    if (edit == LineEdit::Delete)
      return true;
    // Insert at the start of a random line (or at the end).
    ranges = lines();
    size_t at = tokens.size();
    if (size_t choice = pick(ranges.size() + 1); choice < ranges.size())
      at = ranges[choice].first;
    tokens.insert(tokens.begin() + at, line.begin(), line.end());
    return true;
  }

  /// Every use of one name of the file becomes another: bindings stay
  /// consistent, so the change reaches the type checker, not the parser.
  bool renameEverywhere() {
    long i = pickToken(TokenKind::Name);
    if (i < 0)
      return false;
    std::string from = tokens[i].text, to = randomName();
    for (Token &token : tokens)
      if (token.kind == TokenKind::Name && token.text == from)
        token.text = to;
    return true;
  }

  /// The solid token next to `i` in direction `step`, or -1.
  long neighbour(long i, long step) const {
    for (long j = i + step; j >= 0 && j < long(tokens.size()); j += step)
      if (tokens[j].kind != TokenKind::Space)
        return j;
    return -1;
  }

  /// The first word of the line of token `i`.
  std::string lineKeyword(long i) const {
    while (i > 0 && tokens[i - 1].kind != TokenKind::Newline)
      --i;
    for (; i < long(tokens.size()) && tokens[i].kind != TokenKind::Newline;
         ++i)
      if (tokens[i].kind != TokenKind::Space)
        return tokens[i].text;
    return "";
  }

  /// Whether name token `i` is a value used as an operand: inside a
  /// binding's expression, not a callee, an attribute name or a binding's
  /// own name.
  bool isOperand(long i) const {
    if (tokens[i].kind != TokenKind::Name)
      return false;
    static const char *const declarations[] = {
        "model", "config", "input", "param", "buffer", "constant", "train",
        "group"};
    std::string keyword = lineKeyword(i);
    for (const char *declaration : declarations)
      if (keyword == declaration)
        return false;
    long before = neighbour(i, -1), after = neighbour(i, +1);
    auto textAt = [&](long j) { return j < 0 ? "" : tokens[j].text; };
    std::string previous = textAt(before), next = textAt(after);
    bool opens = previous == "(" || previous == "," || previous == "=" ||
                 previous == "+" || previous == "-" || previous == "*" ||
                 previous == "/";
    bool closes = after < 0 || next == ")" || next == "," || next == "\n" ||
                  next == "+" || next == "-" || next == "*" || next == "/" ||
                  tokens[after].kind == TokenKind::Comment;
    return opens && closes;
  }

  long pickOperand() {
    std::vector<size_t> found;
    for (size_t i = 0; i < tokens.size(); ++i)
      if (isOperand(i))
        found.push_back(i);
    return found.empty() ? -1 : static_cast<long>(found[pick(found.size())]);
  }

  /// A built-in's call replaced by another with as many tensor operands:
  /// `relu(x)` becomes `tanh(x)`, `add(a, b)` becomes `maximum(a, b)`.
  bool replaceCallee() {
    std::vector<std::pair<size_t, size_t>> calls; // token, operand count
    for (size_t i = 0; i < tokens.size(); ++i) {
      long next = neighbour(i, +1);
      if (tokens[i].kind != TokenKind::Name || next < 0 ||
          tokens[next].text != "(")
        continue;
      if (const auto *signature =
              kiln::text::lookupOpSignature(tokens[i].text))
        calls.push_back({i, signature->operands.size()});
    }
    if (calls.empty())
      return false;
    auto [at, operands] = calls[pick(calls.size())];
    std::vector<llvm::StringRef> alike;
    for (const kiln::text::OpSignature &signature :
         kiln::text::getOpSignatures())
      if (signature.operands.size() == operands)
        alike.push_back(signature.name);
    tokens[at].text = alike[pick(alike.size())].str();
    return true;
  }

  /// An operand replaced by another value of the model: an input, a
  /// parameter or a binding of an earlier line.
  bool replaceOperand() {
    long i = pickOperand();
    if (i < 0)
      return false;
    long lineStart = i;
    while (lineStart > 0 && tokens[lineStart - 1].kind != TokenKind::Newline)
      --lineStart;
    std::vector<std::string> values;
    for (long j = 0; j < lineStart; ++j) {
      bool startsLine = j == 0 || tokens[j - 1].kind == TokenKind::Newline;
      if (!startsLine || tokens[j].kind != TokenKind::Name)
        continue;
      long name = j;
      if (tokens[j].text == "input" || tokens[j].text == "param" ||
          tokens[j].text == "output")
        name = neighbour(j, +1);
      long next = name < 0 ? -1 : neighbour(name, +1);
      if (name >= 0 && next >= 0 && tokens[name].kind == TokenKind::Name &&
          (tokens[next].text == "=" || tokens[next].text == ":"))
        values.push_back(tokens[name].text);
    }
    if (values.empty())
      return false;
    tokens[i].text = values[pick(values.size())];
    return true;
  }

  /// `x` becomes `relu(x)`: a new op in the graph, of whatever shape.
  bool wrapInCall() {
    long i = pickOperand();
    if (i < 0)
      return false;
    std::string call = kUnaryCalls[pick(std::size(kUnaryCalls))];
    tokens.insert(tokens.begin() + i + 1, {TokenKind::Punctuation, ")"});
    tokens.insert(tokens.begin() + i, {TokenKind::Punctuation, "("});
    tokens.insert(tokens.begin() + i, {TokenKind::Name, call});
    return true;
  }

  /// A dimension added to or dropped from a `[...]` list: ranks change.
  bool editDimensions() {
    std::vector<size_t> opens;
    for (size_t i = 0; i < tokens.size(); ++i)
      if (tokens[i].text == "[")
        opens.push_back(i);
    if (opens.empty())
      return false;
    size_t open = opens[pick(opens.size())];
    if (pick(2)) {
      tokens.insert(tokens.begin() + open + 1,
                    {{TokenKind::Number, kNumbers[pick(std::size(kNumbers))]},
                     {TokenKind::Punctuation, ","}});
      return true;
    }
    // Drop the first element and its comma.
    size_t end = open + 1;
    while (end < tokens.size() && tokens[end].text != "," &&
           tokens[end].text != "]")
      ++end;
    if (end < tokens.size() && tokens[end].text == ",")
      ++end;
    tokens.erase(tokens.begin() + open + 1, tokens.begin() + end);
    return true;
  }

  std::vector<Token> tokens;
  std::minstd_rand rng;
};

size_t store(const std::string &text, uint8_t *data, size_t maxSize) {
  size_t size = std::min(text.size(), maxSize);
  std::memcpy(data, text.data(), size);
  return size;
}

} // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  // KILN_FUZZ_BYTE_LEVEL=1: libFuzzer's mutations only, to measure what
  // the structure-aware ones add (docs/robustness.md).
  static const bool byteLevelOnly = std::getenv("KILN_FUZZ_BYTE_LEVEL");
  std::minstd_rand rng(seed);
  if (byteLevelOnly || rng() % 5 == 0)
    return LLVMFuzzerMutate(data, size, maxSize);
  Mutator mutator(tokenize(std::string(reinterpret_cast<char *>(data), size)),
                  rng());
  // Mostly one edit, as a typo is; sometimes two or three.
  unsigned mutations = rng() % 4 ? 1 : 2 + rng() % 2;
  bool changed = false;
  for (unsigned i = 0; i < mutations; ++i)
    changed |= mutator.mutateOnce();
  std::string text = join(mutator.result());
  if (!changed || text.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  return store(text, data, maxSize);
}

/// The first lines of one input, the last lines of the other: a model's
/// declarations with another's bindings.
extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1,
                                            size_t size1,
                                            const uint8_t *data2,
                                            size_t size2, uint8_t *out,
                                            size_t maxOutSize,
                                            unsigned seed) {
  std::minstd_rand rng(seed);
  auto splitLines = [](const uint8_t *data, size_t size) {
    std::vector<std::string> lines;
    std::string line;
    for (size_t i = 0; i < size; ++i) {
      line += static_cast<char>(data[i]);
      if (data[i] == '\n')
        lines.push_back(std::move(line)), line.clear();
    }
    if (!line.empty())
      lines.push_back(line + "\n");
    return lines;
  };
  std::vector<std::string> first = splitLines(data1, size1);
  std::vector<std::string> second = splitLines(data2, size2);
  std::string text;
  size_t keep = first.empty() ? 0 : rng() % (first.size() + 1);
  for (size_t i = 0; i < keep; ++i)
    text += first[i];
  size_t from = second.empty() ? 0 : rng() % (second.size() + 1);
  for (size_t i = from; i < second.size(); ++i)
    text += second[i];
  return store(text, out, maxOutSize);
}
