//===- Lexer.h - Tokens of the .kiln model language -------------*- C++ -*-===//
//
// Splits a .kiln buffer into tokens. Newlines end statements, except inside
// brackets, so a call may span lines. `#` starts a comment to the end of the
// line. The lexer never fails: anything it cannot read becomes an Error
// token that the parser reports.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LEXER_H
#define KILN_FRONTEND_TEXT_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace kiln::text {

enum class TokenKind {
  Eof,
  Newline,
  Identifier,
  Integer,
  Float,
  String,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Error,
};

/// How a token kind reads in messages: "')'", "a newline", "a number".
llvm::StringRef describe(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The token's text; for strings, without the quotes.
  llvm::StringRef text;
  llvm::SMLoc loc;

  bool is(TokenKind k) const { return kind == k; }
  bool isKeyword(llvm::StringRef word) const {
    return kind == TokenKind::Identifier && text == word;
  }
  /// What the token is, for "expected X, found Y" messages.
  std::string spelling() const;
};

class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer) : buffer(buffer), cur(buffer.begin()) {}

  Token next();

  /// Brackets opened and not yet closed: newlines inside them are spaces.
  void enterBracket() { ++bracketDepth; }
  void exitBracket() {
    if (bracketDepth > 0)
      --bracketDepth;
  }
  /// After a syntax error: whatever was open is abandoned.
  void resetBrackets() { bracketDepth = 0; }

private:
  Token make(TokenKind kind, const char *start) const {
    return Token{kind, llvm::StringRef(start, cur - start),
                 llvm::SMLoc::getFromPointer(start)};
  }
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  void skipSpaceAndComments();

  llvm::StringRef buffer;
  const char *cur;
  int bracketDepth = 0;
};

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_LEXER_H
