//===- Lexer.cpp - Tokens of the .kiln model language ---------------------===//

#include "kiln/Frontend/Text/Lexer.h"

#include "llvm/ADT/StringExtras.h"

using namespace kiln::text;

llvm::StringRef kiln::text::describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "the end of the file";
  case TokenKind::Newline:
    return "the end of the line";
  case TokenKind::Identifier:
    return "a name";
  case TokenKind::Integer:
  case TokenKind::Float:
    return "a number";
  case TokenKind::String:
    return "a string";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Dot:
    return "'.'";
  case TokenKind::Assign:
    return "'='";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::LessEqual:
    return "'<='";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::GreaterEqual:
    return "'>='";
  case TokenKind::EqualEqual:
    return "'=='";
  case TokenKind::NotEqual:
    return "'!='";
  case TokenKind::Error:
    return "an unreadable character";
  }
  return "a token";
}

std::string Token::spelling() const {
  switch (kind) {
  case TokenKind::Identifier:
    return "'" + text.str() + "'";
  case TokenKind::Integer:
  case TokenKind::Float:
    return "number " + text.str();
  case TokenKind::String:
    return "string \"" + text.str() + "\"";
  case TokenKind::Error: {
    unsigned char c = text.empty() ? 0 : text.front();
    if (llvm::isDigit(c) || c == '.')
      return "malformed number '" + text.str() + "'";
    if (c == '"')
      return "unterminated string";
    if (llvm::isPrint(c))
      return "unexpected character '" + text.str() + "'";
    return "unexpected byte 0x" + llvm::utohexstr(c, /*LowerCase=*/true, 2);
  }
  default:
    return describe(kind).str();
  }
}

void Lexer::skipSpaceAndComments() {
  const char *end = buffer.end();
  while (cur != end) {
    char c = *cur;
    if (c == ' ' || c == '\t' || c == '\r' ||
        (c == '\n' && bracketDepth > 0)) {
      ++cur;
    } else if (c == '#') {
      while (cur != end && *cur != '\n')
        ++cur;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipSpaceAndComments();
  const char *start = cur;
  if (cur == buffer.end())
    return make(TokenKind::Eof, start);
  char c = *cur++;
  auto twoChar = [&](char second, TokenKind both, TokenKind one) {
    if (cur != buffer.end() && *cur == second) {
      ++cur;
      return make(both, start);
    }
    return make(one, start);
  };
  switch (c) {
  case '\n':
    return make(TokenKind::Newline, start);
  case '(':
    return make(TokenKind::LParen, start);
  case ')':
    return make(TokenKind::RParen, start);
  case '[':
    return make(TokenKind::LBracket, start);
  case ']':
    return make(TokenKind::RBracket, start);
  case '{':
    return make(TokenKind::LBrace, start);
  case '}':
    return make(TokenKind::RBrace, start);
  case ',':
    return make(TokenKind::Comma, start);
  case ':':
    return make(TokenKind::Colon, start);
  case '+':
    return make(TokenKind::Plus, start);
  case '-':
    return make(TokenKind::Minus, start);
  case '*':
    return make(TokenKind::Star, start);
  case '/':
    return make(TokenKind::Slash, start);
  case '=':
    return twoChar('=', TokenKind::EqualEqual, TokenKind::Assign);
  case '<':
    return twoChar('=', TokenKind::LessEqual, TokenKind::Less);
  case '>':
    return twoChar('=', TokenKind::GreaterEqual, TokenKind::Greater);
  case '!':
    return twoChar('=', TokenKind::NotEqual, TokenKind::Error);
  case '"':
    return lexString(start);
  case '.':
    if (cur != buffer.end() && llvm::isDigit(*cur))
      return lexNumber(start);
    return make(TokenKind::Dot, start);
  default:
    break;
  }
  if (llvm::isDigit(c))
    return lexNumber(start);
  if (llvm::isAlpha(c) || c == '_') {
    while (cur != buffer.end() && (llvm::isAlnum(*cur) || *cur == '_'))
      ++cur;
    return make(TokenKind::Identifier, start);
  }
  return make(TokenKind::Error, start);
}

Token Lexer::lexNumber(const char *start) {
  const char *end = buffer.end();
  cur = start;
  bool isFloat = false;
  while (cur != end && llvm::isDigit(*cur))
    ++cur;
  if (cur != end && *cur == '.') {
    isFloat = true;
    ++cur;
    while (cur != end && llvm::isDigit(*cur))
      ++cur;
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exponent = cur++;
    if (cur != end && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur == end || !llvm::isDigit(*cur)) {
      // "1e" or "2e+": not a number; the parser reports the whole token.
      cur = std::max(cur, exponent + 1);
      return make(TokenKind::Error, start);
    }
    while (cur != end && llvm::isDigit(*cur))
      ++cur;
    isFloat = true;
  }
  // A number running straight into letters ("3x", "1.5f") is a typo.
  if (cur != end && (llvm::isAlpha(*cur) || *cur == '_' || *cur == '.')) {
    while (cur != end && (llvm::isAlnum(*cur) || *cur == '_' || *cur == '.'))
      ++cur;
    return make(TokenKind::Error, start);
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
}

Token Lexer::lexString(const char *start) {
  const char *end = buffer.end();
  while (cur != end && *cur != '"' && *cur != '\n')
    ++cur;
  if (cur == end || *cur != '"')
    return make(TokenKind::Error, start);
  Token token{TokenKind::String, llvm::StringRef(start + 1, cur - start - 1),
              llvm::SMLoc::getFromPointer(start)};
  ++cur;
  return token;
}
