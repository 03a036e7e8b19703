//===- RecurrentOps.cpp - Recurrent layers --------------------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult kiln::detail::inferRecurrent(std::optional<Location> loc,
                                           StringRef opName,
                                           const RecurrentOperands &operands,
                                           SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(operands.input);
  if (!input || input.getRank() != 3)
    return emitInferenceError(loc, opName,
                              "input must be [batch, time, features], got ",
                              input ? formatShape(input) : "no ranked tensor");
  auto wIh = getRankedType(operands.wIh);
  if (!wIh || wIh.getRank() != 3 || shape::isDynamic(wIh.getDimSize(1)) ||
      wIh.getDimSize(1) % operands.gateCount != 0)
    return emitInferenceError(
        loc, opName, "w_ih must be [directions, ", operands.gateCount,
        " * hidden, features] with a static gate dimension, got ",
        wIh ? formatShape(wIh) : "no ranked tensor");
  int64_t directions = operands.bidirectional ? 2 : 1;
  int64_t hidden = wIh.getDimSize(1) / operands.gateCount;
  int64_t gates = wIh.getDimSize(1);
  int64_t batch = input.getDimSize(0), steps = input.getDimSize(1);
  Type element = input.getElementType();
  if (!shape::areCompatible(wIh.getDimSize(0), directions))
    return emitInferenceError(loc, opName, "w_ih has shape ", formatShape(wIh),
                              " but a ",
                              operands.bidirectional ? "bidirectional"
                                                     : "unidirectional",
                              " layer has ", directions,
                              " direction(s) in dimension 0");
  if (!shape::areCompatible(wIh.getDimSize(2), input.getDimSize(2)))
    return emitInferenceError(loc, opName, "input has shape ",
                              formatShape(input), " but w_ih has shape ",
                              formatShape(wIh),
                              ": their feature sizes differ");

  struct Expected {
    StringRef name;
    Value value;
    shape::Shape shape;
  };
  SmallVector<Expected> expected = {
      {"w_hh", operands.wHh, {directions, gates, hidden}},
      {"b_ih", operands.bIh, {directions, gates}},
      {"b_hh", operands.bHh, {directions, gates}}};
  if (operands.h0)
    expected.push_back({"h0", operands.h0, {directions, batch, hidden}});
  if (operands.c0)
    expected.push_back({"c0", operands.c0, {directions, batch, hidden}});
  if (operands.hasCellState && (!operands.h0 != !operands.c0))
    return emitInferenceError(loc, opName,
                              "initial states h0 and c0 must be given "
                              "together");
  for (const Expected &want : expected) {
    auto type = getRankedType(want.value);
    bool matches = type && type.getElementType() == element &&
                   type.getRank() == static_cast<int64_t>(want.shape.size());
    for (int64_t d = 0; matches && d < type.getRank(); ++d)
      matches = shape::areCompatible(type.getDimSize(d), want.shape[d]);
    if (!matches)
      return emitInferenceError(
          loc, opName, want.name, " has type ",
          type ? Type(type) : want.value.getType(), " but input ",
          formatShape(input), " and w_ih ", formatShape(wIh),
          " imply shape ", shape::format(want.shape), " of ", element);
  }

  inferred.push_back(
      RankedTensorType::get({batch, steps, directions * hidden}, element));
  auto state = RankedTensorType::get({directions, batch, hidden}, element);
  inferred.push_back(state);
  if (operands.hasCellState)
    inferred.push_back(state);
  return success();
}
