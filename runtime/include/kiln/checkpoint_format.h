/*===- checkpoint_format.h - The checkpoint file header ---------------===*\
 *
 * A checkpoint starts with the same kind of header as a .kmod (magic,
 * schema version, CRC-32 of every byte after it), with its own magic,
 * followed by the FlatBuffer described by runtime/schema/checkpoint.fbs.
 *
\*===------------------------------------------------------------------===*/

#ifndef KILN_CHECKPOINT_FORMAT_H
#define KILN_CHECKPOINT_FORMAT_H

#include "kiln/kmod_format.h"

namespace kiln::ckpt {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
/// Bumped whenever checkpoint.fbs changes incompatibly.
inline constexpr uint32_t kSchemaVersion = 1;

} // namespace kiln::ckpt

#endif // KILN_CHECKPOINT_FORMAT_H
