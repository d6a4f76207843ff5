// The same pixels with their integer channels marked as labels (ChannelInfo::labels): what
// `--labels` and the panel's Labels toggle show a segmentation through. Everything else (reads,
// hints, changes) is the wrapped source's; stored reduced levels are not used, as they were made
// by averaging.
#pragma once

#include <memory>

#include "core/image/ImageSource.h"

namespace tessera::core {

// Whether a source has a channel that can be shown as labels (u8, u16 or u32).
bool can_show_labels(const ImageSource& source);
// Integer ids in every channel that can hold them; `source` itself when none can, or when it
// is already so.
std::shared_ptr<const ImageSource> as_labels(std::shared_ptr<const ImageSource> source);
// The source as it was before as_labels (itself when it is not a label view).
std::shared_ptr<const ImageSource> without_labels(std::shared_ptr<const ImageSource> source);

}  // namespace tessera::core
