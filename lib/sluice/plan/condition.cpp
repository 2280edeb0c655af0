#include <sluice/plan/condition.hpp>

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/suggest.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace sluice::plan {

enum class NodeKind {
  number,
  boolean,
  result,
  baseline,
  negate,
  logical_not,
  add,
  subtract,
  multiply,
  divide,
  less,
  less_equal,
  greater,
  greater_equal,
  equal,
  not_equal,
  logical_and,
  logical_or,
  is_nan,
  is_inf,
  no_data,
};

struct ConditionNode {
  NodeKind kind = NodeKind::number;
  double number = 0;
  std::unique_ptr<const ConditionNode> lhs;
  std::unique_ptr<const ConditionNode> rhs;
};

ConditionExpr::ConditionExpr(std::unique_ptr<const ConditionNode> root, bool uses_baseline, bool uses_no_data,
                             bool uses_is_nan)
    : root_(std::move(root)),
      uses_baseline_(uses_baseline),
      uses_no_data_(uses_no_data),
      uses_is_nan_(uses_is_nan) {}
ConditionExpr::~ConditionExpr() = default;

namespace {

using NodePtr = std::unique_ptr<const ConditionNode>;

enum class Type { number, boolean };

struct Typed {
  NodePtr node;
  Type type = Type::number;
};

// Thrown inside the parser only; parse_condition turns it into a value.
struct SyntaxError {
  int offset;
  std::string message;
};

constexpr int k_max_depth = 32;

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

const char* type_name(Type type) {
  return type == Type::number ? "a number" : "true/false";
}

NodePtr make(NodeKind kind, NodePtr lhs = nullptr, NodePtr rhs = nullptr, double number = 0) {
  auto node = std::make_unique<ConditionNode>();
  node->kind = kind;
  node->number = number;
  node->lhs = std::move(lhs);
  node->rhs = std::move(rhs);
  return node;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Typed parse_all() {
    skip_space();
    if (pos_ == text_.size()) fail(0, "the condition is empty");
    Typed expr = parse_or();
    skip_space();
    if (pos_ != text_.size()) {
      if (text_[pos_] == ')') fail(pos_, "unexpected ')' without a matching '('");
      fail(pos_, "unexpected " + token_text() + " after a complete expression");
    }
    if (expr.type != Type::boolean)
      fail(0, "the condition must be true/false, but it is a number (compare it, e.g. 'result < 0.01')");
    return expr;
  }

  bool uses_baseline = false;
  bool uses_no_data = false;
  bool uses_is_nan = false;

 private:
  [[noreturn]] void fail(std::size_t offset, std::string message) {
    throw SyntaxError{static_cast<int>(offset), std::move(message)};
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  // The word or symbol at pos_, quoted for messages.
  std::string token_text() const {
    std::size_t end = pos_;
    while (end < text_.size() && is_ident_char(text_[end])) ++end;
    if (end == pos_) return quoted(text_.substr(pos_, 1));  // one byte, escaped when not printable
    return quoted(text_.substr(pos_, end - pos_));
  }

  // Consumes `symbol` (an operator or keyword) if it is next.
  bool accept(std::string_view symbol) {
    skip_space();
    if (text_.substr(pos_, symbol.size()) != symbol) return false;
    std::size_t end = pos_ + symbol.size();
    if (is_ident_char(symbol.back()) && end < text_.size() && is_ident_char(text_[end])) return false;
    pos_ = end;
    return true;
  }

  void enter(std::size_t at) {
    if (++depth_ > k_max_depth)
      fail(at, "the condition is nested too deeply (more than " + std::to_string(k_max_depth) + " levels)");
  }

  void expect_type(const Typed& operand, Type type, std::size_t at, const std::string& op, const char* side) {
    if (operand.type == type) return;
    std::string needs = type == Type::number ? "numbers" : "true/false values";
    fail(at, "'" + op + "' needs " + needs + ", but its " + side + " side is " + type_name(operand.type));
  }

  Typed parse_logical(bool is_or) {
    std::size_t start = (skip_space(), pos_);
    // Nodes are unique_ptrs; clang 14's analyzer loses them in the recursion.
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
    Typed lhs = is_or ? parse_logical(false) : parse_not();
    const char* word = is_or ? "or" : "and";
    const char* symbol = is_or ? "||" : "&&";
    for (;;) {
      std::string op = accept(word) ? word : accept(symbol) ? symbol : "";
      if (op.empty()) return lhs;
      std::size_t rhs_at = (skip_space(), pos_);
      // Nodes are unique_ptrs; clang 14's analyzer loses them in the recursion.
      // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
      Typed rhs = is_or ? parse_logical(false) : parse_not();
      expect_type(lhs, Type::boolean, start, op, "left");
      expect_type(rhs, Type::boolean, rhs_at, op, "right");
      lhs = {make(is_or ? NodeKind::logical_or : NodeKind::logical_and, std::move(lhs.node),
                  std::move(rhs.node)),
             Type::boolean};
    }
  }

  Typed parse_or() { return parse_logical(true); }

  Typed parse_not() {
    std::size_t at = (skip_space(), pos_);
    std::string op = accept("not") ? "not" : (text_.substr(pos_, 2) != "!=" && accept("!")) ? "!" : "";
    if (op.empty()) return parse_comparison();
    enter(at);
    std::size_t operand_at = (skip_space(), pos_);
    Typed operand = parse_not();
    --depth_;
    expect_type(operand, Type::boolean, operand_at, op, "right");
    return {make(NodeKind::logical_not, std::move(operand.node)), Type::boolean};
  }

  // The comparison operator at pos_, longest first; "" when none.
  std::string comparison_operator() {
    skip_space();
    for (const char* op : {"<=", ">=", "==", "!=", "<", ">"})
      if (text_.substr(pos_, std::string_view(op).size()) == op) return op;
    return "";
  }

  static NodeKind comparison_kind(const std::string& op) {
    if (op == "<") return NodeKind::less;
    if (op == "<=") return NodeKind::less_equal;
    if (op == ">") return NodeKind::greater;
    if (op == ">=") return NodeKind::greater_equal;
    if (op == "==") return NodeKind::equal;
    return NodeKind::not_equal;
  }

  Typed parse_comparison() {
    std::size_t start = (skip_space(), pos_);
    Typed lhs = parse_additive();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '=' && text_.substr(pos_, 2) != "==")
      fail(pos_, "'=' is not an operator; compare with '=='");
    std::string op = comparison_operator();
    if (op.empty()) return lhs;
    pos_ += op.size();
    std::size_t rhs_at = (skip_space(), pos_);
    Typed rhs = parse_additive();
    expect_type(lhs, Type::number, start, op, "left");
    expect_type(rhs, Type::number, rhs_at, op, "right");
    std::string next = comparison_operator();
    if (!next.empty()) fail(pos_, "comparisons cannot be chained; join them with 'and'");
    return {make(comparison_kind(op), std::move(lhs.node), std::move(rhs.node)), Type::boolean};
  }

  Typed parse_arithmetic(bool additive) {
    std::size_t start = (skip_space(), pos_);
    // Nodes are unique_ptrs; clang 14's analyzer loses them in the recursion.
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
    Typed lhs = additive ? parse_arithmetic(false) : parse_unary();
    for (;;) {
      skip_space();
      char c = pos_ < text_.size() ? text_[pos_] : '\0';
      bool matches = additive ? (c == '+' || c == '-') : (c == '*' || c == '/');
      if (!matches) return lhs;
      ++pos_;
      std::size_t rhs_at = (skip_space(), pos_);
      // Nodes are unique_ptrs; clang 14's analyzer loses them in the recursion.
      // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
      Typed rhs = additive ? parse_arithmetic(false) : parse_unary();
      std::string op(1, c);
      expect_type(lhs, Type::number, start, op, "left");
      expect_type(rhs, Type::number, rhs_at, op, "right");
      NodeKind kind = c == '+'   ? NodeKind::add
                      : c == '-' ? NodeKind::subtract
                      : c == '*' ? NodeKind::multiply
                                 : NodeKind::divide;
      lhs = {make(kind, std::move(lhs.node), std::move(rhs.node)), Type::number};
    }
  }

  Typed parse_additive() { return parse_arithmetic(true); }

  Typed parse_unary() {
    skip_space();
    std::size_t at = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') {
      ++pos_;
      enter(at);
      std::size_t operand_at = (skip_space(), pos_);
      Typed operand = parse_unary();
      --depth_;
      expect_type(operand, Type::number, operand_at, "-", "right");
      return {make(NodeKind::negate, std::move(operand.node)), Type::number};
    }
    return parse_primary();
  }

  Typed parse_primary() {
    skip_space();
    if (pos_ == text_.size()) fail(pos_, "the condition ends where a value was expected");
    char c = text_[pos_];
    if (c == '(') return parse_parenthesised();
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_name();
    if (c == ')') fail(pos_, "unexpected ')' where a value was expected");
    fail(pos_, "unexpected " + token_text() + " where a value was expected");
  }

  Typed parse_parenthesised() {
    std::size_t open = pos_++;
    enter(open);
    Typed inner = parse_or();
    --depth_;
    skip_space();
    if (pos_ == text_.size() || text_[pos_] != ')') fail(open, "this '(' is never closed");
    ++pos_;
    return inner;
  }

  Typed parse_number() {
    std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.'))
      ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t exp = pos_ + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && std::isdigit(static_cast<unsigned char>(text_[exp]))) {
        pos_ = exp;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      }
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (ec != std::errc() || end != text_.data() + pos_ || !std::isfinite(value))
      fail(start, quoted(text_.substr(start, pos_ - start)) + " is not a number");
    if (pos_ < text_.size() && is_ident_char(text_[pos_]))
      fail(pos_, "unexpected " + token_text() + " right after the number");
    return {make(NodeKind::number, nullptr, nullptr, value), Type::number};
  }

  Typed parse_name() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '(') return parse_call(name, start);
    if (name == "result") return {make(NodeKind::result), Type::number};
    if (name == "baseline") {
      uses_baseline = true;
      return {make(NodeKind::baseline), Type::number};
    }
    if (name == "true" || name == "false") {
      return {make(NodeKind::boolean, nullptr, nullptr, name == "true" ? 1 : 0), Type::boolean};
    }
    fail(start, "unknown name " + quoted(name) + did_you_mean(name, {"result", "baseline", "true", "false"}) +
                    "; conditions can use result, baseline, true and false");
  }

  Typed parse_call(const std::string& name, std::size_t start) {
    static const std::vector<std::string> functions = {"isNaN", "isInf", "noData"};
    if (name != "isNaN" && name != "isInf" && name != "noData") {
      fail(start, "unknown function " + quoted(name) + did_you_mean(name, functions) +
                      "; the functions are isNaN(x), isInf(x) and noData()");
    }
    std::size_t open = pos_++;
    if (name == "noData") {
      skip_space();
      if (pos_ == text_.size() || text_[pos_] != ')') fail(pos_, "noData() takes no arguments");
      ++pos_;
      uses_no_data = true;
      return {make(NodeKind::no_data), Type::boolean};
    }
    enter(open);
    std::size_t arg_at = (skip_space(), pos_);
    Typed arg = parse_or();
    --depth_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ',') fail(pos_, name + "() takes one argument");
    if (pos_ == text_.size() || text_[pos_] != ')') fail(open, "this '(' is never closed");
    ++pos_;
    expect_type(arg, Type::number, arg_at, name + "()", "argument's");
    if (name == "isNaN") uses_is_nan = true;
    return {make(name == "isNaN" ? NodeKind::is_nan : NodeKind::is_inf, std::move(arg.node)), Type::boolean};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

std::optional<double> eval_number(const ConditionNode& node, const ConditionInput& input);
std::optional<bool> eval_bool(const ConditionNode& node, const ConditionInput& input);

std::optional<double> eval_number(const ConditionNode& node, const ConditionInput& input) {
  switch (node.kind) {
    case NodeKind::number: return node.number;
    case NodeKind::result: return input.result;
    case NodeKind::baseline: return input.baseline;
    case NodeKind::negate: {
      auto value = eval_number(*node.lhs, input);
      if (!value) return std::nullopt;
      return -*value;
    }
    default: break;
  }
  auto lhs = eval_number(*node.lhs, input);
  auto rhs = eval_number(*node.rhs, input);
  if (!lhs || !rhs) return std::nullopt;
  switch (node.kind) {
    case NodeKind::add: return *lhs + *rhs;
    case NodeKind::subtract: return *lhs - *rhs;
    case NodeKind::multiply: return *lhs * *rhs;
    default: return *lhs / *rhs;  // IEEE: x/0 is +/-Inf, 0/0 is NaN
  }
}

std::optional<bool> compare(NodeKind kind, double lhs, double rhs) {
  switch (kind) {
    case NodeKind::less: return lhs < rhs;
    case NodeKind::less_equal: return lhs <= rhs;
    case NodeKind::greater: return lhs > rhs;
    case NodeKind::greater_equal: return lhs >= rhs;
    case NodeKind::equal: return lhs == rhs;
    default: return lhs != rhs;
  }
}

std::optional<bool> eval_logical(const ConditionNode& node, const ConditionInput& input) {
  auto lhs = eval_bool(*node.lhs, input);
  auto rhs = eval_bool(*node.rhs, input);
  bool is_and = node.kind == NodeKind::logical_and;
  // A decisive side settles the answer even when the other is unknown.
  if ((lhs && *lhs != is_and) || (rhs && *rhs != is_and)) return !is_and;
  if (!lhs || !rhs) return std::nullopt;
  return is_and;
}

std::optional<bool> eval_bool(const ConditionNode& node, const ConditionInput& input) {
  switch (node.kind) {
    case NodeKind::boolean: return node.number != 0;
    case NodeKind::no_data: return !input.result.has_value();
    case NodeKind::logical_not: {
      auto value = eval_bool(*node.lhs, input);
      if (!value) return std::nullopt;
      return !*value;
    }
    case NodeKind::logical_and:
    case NodeKind::logical_or: return eval_logical(node, input);
    case NodeKind::is_nan:
    case NodeKind::is_inf: {
      auto value = eval_number(*node.lhs, input);
      if (!value) return std::nullopt;
      return node.kind == NodeKind::is_nan ? std::isnan(*value) : std::isinf(*value);
    }
    default: break;
  }
  auto lhs = eval_number(*node.lhs, input);
  auto rhs = eval_number(*node.rhs, input);
  if (!lhs || !rhs) return std::nullopt;
  return compare(node.kind, *lhs, *rhs);
}

}  // namespace

ParsedCondition parse_condition(std::string_view text) {
  if (text.size() > k_max_condition_length) {
    return {nullptr, ConditionSyntaxError{static_cast<int>(k_max_condition_length),
                                          "the condition is longer than " +
                                              std::to_string(k_max_condition_length) + " characters"}};
  }
  Parser parser(text);
  try {
    Typed root = parser.parse_all();
    auto expr = std::make_shared<const ConditionExpr>(std::move(root.node), parser.uses_baseline,
                                                      parser.uses_no_data, parser.uses_is_nan);
    return {std::move(expr), std::nullopt};
  } catch (const SyntaxError& e) {
    return {nullptr, ConditionSyntaxError{e.offset, e.message}};
  }
}

std::optional<bool> evaluate(const ConditionExpr& expr, const ConditionInput& input) {
  return eval_bool(expr.root(), input);
}

}  // namespace sluice::plan
