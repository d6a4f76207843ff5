#include "app/session/Session.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/display/Colormap.h"
#include "core/display/DisplayActions.h"
#include "core/image/LabelSource.h"

namespace tessera::app {
namespace {

std::string file_name(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

// A live image as a dataset: float32 channels a client writes, shown linear like an EXR.
LoadResult live_dataset(const std::string& name, std::shared_ptr<const core::ImageSource> source) {
    core::Image image;
    image.source = std::move(source);
    image.metadata.path = name;
    image.metadata.format = "live image (IPC)";
    image.metadata.transfer = core::Transfer::Linear;
    image.metadata.data_window = core::full_window(image.source->width(), image.source->height());
    image.metadata.display_window = image.metadata.data_window;
    LoadResult result;
    result.path = name;
    auto dataset = core::make_dataset(std::move(image), core::StatisticsDetail::Sampled);
    if (!dataset) {
        result.error = dataset.error().message;
    } else {
        result.datasets.push_back(std::move(dataset).value());
    }
    return result;
}

// tev's channel selector: a comma-separated list of channel names or layers ("R,G,B",
// "diffuse"): a channel is shown when its name is an item or lies in an item's layer.
bool selected(const std::string& channel, const std::string& selector) {
    std::size_t begin = 0;
    while (begin <= selector.size()) {
        const std::size_t end = std::min(selector.find(',', begin), selector.size());
        const std::string item = selector.substr(begin, end - begin);
        if (!item.empty() && (channel == item || channel.rfind(item + ".", 0) == 0)) {
            return true;
        }
        begin = end + 1;
    }
    return false;
}

}  // namespace

LoadResult load_file(const std::string& path, const core::LoadOptions& options) {
    LoadResult result;
    result.path = path;
    std::error_code error;
    result.modified = std::filesystem::last_write_time(path, error);
    result.file_size = std::filesystem::file_size(path, error);
    auto datasets = core::open_datasets(path, {options, core::StatisticsDetail::Sampled});
    if (!datasets) {
        result.error = datasets.error().message;
        return result;
    }
    result.datasets = std::move(datasets).value();
    return result;
}

Session::~Session() {
    for (Job& job : m_jobs) {
        job.result.wait();  // workers read files we still own; let them finish
    }
    m_documents.clear();  // their tile streams before the loader
}

namespace {

// A file as settings name it: its absolute, normalised path.
std::string settings_key(const std::string& path) {
    std::error_code error;
    const auto canonical = std::filesystem::weakly_canonical(path, error);
    return error ? path : canonical.string();
}

}  // namespace

void Session::open(const std::string& path, bool show) {
    if (m_settings != nullptr) {
        remember_recent(*m_settings, settings_key(path));
    }
    auto document = std::make_unique<ImageDocument>();
    document->path = path;
    document->title = file_name(path);
    document->load = m_options;
    m_documents.push_back(std::move(document));
    if (show || m_documents.size() == 1) {
        m_current = m_documents.size() - 1;
    }
    m_jobs.push_back({path, false, std::async(std::launch::async, load_file, path, m_options)});
}

void Session::add(core::Dataset dataset) {
    auto document = std::make_unique<ImageDocument>();
    document->path = dataset.image.metadata.path;
    document->title = dataset.image.display_name();
    make_ready(*document, std::move(dataset));
    m_documents.push_back(std::move(document));
    m_current = m_documents.size() - 1;
}

void Session::reload(std::size_t index) {
    if (index >= m_documents.size()) {
        return;
    }
    if (m_documents[index]->live || m_documents[index]->derived) {
        return;  // no file behind it
    }
    const std::string path = m_documents[index]->path;
    const bool in_flight =
        std::any_of(m_jobs.begin(), m_jobs.end(), [&](const Job& job) { return job.path == path; });
    if (in_flight || !std::filesystem::exists(path)) {
        return;
    }
    for (auto& document : m_documents) {
        if (document->path == path) {
            document->reloading = true;
        }
    }
    m_jobs.push_back(
        {path, true, std::async(std::launch::async, load_file, path, m_documents[index]->load)});
}

void Session::reinterpret(std::size_t index, std::string axes) {
    if (index >= m_documents.size()) {
        return;
    }
    std::string previous = std::exchange(m_documents[index]->load.axes, std::move(axes));
    const std::size_t jobs = m_jobs.size();
    reload(index);
    if (m_jobs.size() > jobs) {
        m_jobs.back().previous_axes = std::move(previous);
    } else {
        m_documents[index]->load.axes = std::move(previous);  // nothing started: nothing changes
    }
}

void Session::watch_files(std::chrono::milliseconds interval) {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_watch < interval) {
        return;
    }
    m_last_watch = now;
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        const ImageDocument& document = *m_documents[i];
        if (document.state == DocumentState::Loading || document.reloading || document.live) {
            continue;
        }
        std::error_code error;
        const auto modified = std::filesystem::last_write_time(document.path, error);
        const auto size = std::filesystem::file_size(document.path, error);
        if (!error && (modified != document.modified || size != document.file_size)) {
            reload(i);
        }
    }
}

void Session::poll() {
    for (auto job = m_jobs.begin(); job != m_jobs.end();) {
        if (job->result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            ++job;
            continue;
        }
        integrate(*job, job->result.get());
        job = m_jobs.erase(job);
    }
    for (auto job = m_derive_jobs.begin(); job != m_derive_jobs.end();) {
        if (job->result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            ++job;
            continue;
        }
        integrate(*job);
        job = m_derive_jobs.erase(job);
    }
    if (m_comparison && reference_document() == nullptr) {
        m_comparison.reset();  // the reference was closed or replaced by a reload
    }
    if (ImageDocument* document = current();
        document != nullptr && document->state == DocumentState::Ready) {
        update_plane_statistics(*document);
        update_difference(*document);
    }
    for (auto& document : m_documents) {
        finish_difference(*document);
        update_live_statistics(*document);
        update_derived(*document);
    }
}

bool Session::busy() const {
    return !m_jobs.empty() || !m_derive_jobs.empty() ||
           std::any_of(m_documents.begin(), m_documents.end(),
                       [](const auto& document) { return document->difference.job.valid(); });
}

std::string Session::window_title() const {
    if (m_documents.empty() || m_current >= m_documents.size()) {
        return "Tessera";
    }
    const std::string& title = m_documents[m_current]->title;
    return m_documents.size() == 1
               ? fmt::format("{} - Tessera", title)
               : fmt::format("{} ({}/{}) - Tessera", title, m_current + 1, m_documents.size());
}

void Session::derive(std::shared_ptr<core::derive::DerivedImage> image, std::string title,
                     bool correlation) {
    start_derive(std::move(image), std::move(title), correlation, nullptr);
}

void Session::start_derive(std::shared_ptr<core::derive::DerivedImage> image, std::string title,
                           bool correlation, const core::derive::DerivedImage* replaces) {
    auto run = [image, title]() -> core::Result<core::Dataset> {
        if (auto updated = image->update(); !updated) {
            return core::Error{fmt::format("{}: {}", title, updated.error().message)};
        }
        core::Image result{image, {}};
        result.metadata.path = title;
        result.metadata.format = "Derived";
        result.metadata.transfer = core::Transfer::Linear;
        result.metadata.storage = "computed in memory";
        const core::Box2i window{0, 0, image->width() - 1, image->height() - 1};
        result.metadata.data_window = window;
        result.metadata.display_window = window;
        return core::make_dataset(std::move(result), core::StatisticsDetail::Sampled);
    };
    m_derive_jobs.push_back({std::move(title), correlation, image,
                             std::async(std::launch::async, std::move(run)), replaces});
}

void Session::integrate(DeriveJob& job) {
    auto dataset = job.result.get();
    ImageDocument* document = nullptr;
    if (job.replaces != nullptr) {
        const auto found = std::find_if(m_documents.begin(), m_documents.end(),
                                        [&](auto& d) { return d->derived.get() == job.replaces; });
        if (found == m_documents.end()) {
            return;  // closed meanwhile
        }
        document = found->get();
    }
    if (!dataset) {
        report(dataset.error().message);  // a replacement that fails leaves the old image shown
        return;
    }
    if (document != nullptr) {
        make_ready(*document, std::move(dataset).value());
    } else {
        add(std::move(dataset).value());
        document = m_documents.back().get();
    }
    document->derived = job.image;
    document->derived_correlation = job.correlation;
    present_derived(*document);
}

void Session::present_derived(ImageDocument& document) {
    const std::shared_ptr<core::derive::DerivedImage>& image = document.derived;
    // Square blocks: each value covers its block of the inputs, so the result lies over them
    // (a linked grid shows the same place in both, and the pointer's point is the same pixel).
    if (const auto block = std::dynamic_pointer_cast<core::derive::BlockImage>(image)) {
        const core::derive::BlockSpec& spec = block->spec();
        const core::ImageSource& input = *block->inputs().front().source;
        if (spec.footprint == core::derive::Footprint::Blocks && spec.width == spec.height) {
            document.layers.front().placement = {0, 0, static_cast<double>(spec.width)};
            document.view.set_image_size(input.width(), input.height());
        }
    }
    if (document.derived_correlation) {
        for (core::ChannelDisplay& channel : document.display().channels) {
            channel.colormap = core::named_colormap("coolwarm");
            channel.lo = -1;
            channel.hi = 1;
        }
    }
}

void Session::input_reloaded(const core::ImageSource* old,
                             const std::shared_ptr<const core::ImageSource>& replacement) {
    for (auto& document : m_documents) {
        if (document->derived) {
            document->reloaded_inputs.emplace_back(old, replacement);
        }
    }
}

// A derived image whose inputs changed (a live image written to, a file reloaded with the same
// shape) is computed again where they did, on a worker; its tiles follow its damage like a live
// image's. Inputs reloaded with another shape give a new derived image of the same operation,
// computed whole on a worker, that replaces the old one in its document when it is done (the
// old one stays on screen until then, or, if the new inputs do not fit, with the reason).
void Session::update_derived(ImageDocument& document) {
    if (!document.derived) {
        return;
    }
    if (document.derive_job.valid()) {
        if (document.derive_job.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            return;
        }
        if (auto updated = document.derive_job.get(); !updated) {
            report(document.title + ": " + updated.error().message);
        }
    }
    std::vector<core::derive::DerivedImage::Reload> reshapes;
    for (const auto& reload : document.reloaded_inputs) {
        if (!document.derived->replace_input(reload.first, reload.second) &&
            document.derived->reads(reload.first)) {
            reshapes.push_back(reload);
        }
    }
    document.reloaded_inputs.clear();
    if (!reshapes.empty()) {
        auto reshaped = document.derived->reshaped(reshapes);
        if (!reshaped) {
            report(fmt::format("{}: an input was reloaded with another shape: {}", document.title,
                               reshaped.error().message));
        } else {
            start_derive(std::move(reshaped).value(), document.title, document.derived_correlation,
                         document.derived.get());
        }
        return;
    }
    if (document.derived->inputs_changed()) {
        document.derive_job =
            std::async(std::launch::async, [image = document.derived] { return image->update(); });
    }
}

void Session::update_live_statistics(ImageDocument& document) {
    if (!document.live || document.state != DocumentState::Ready) {
        return;
    }
    if (document.live_statistics_job.valid()) {
        if (document.live_statistics_job.wait_for(std::chrono::seconds(0)) !=
            std::future_status::ready) {
            return;
        }
        auto statistics = document.live_statistics_job.get();
        if (!statistics) {
            report(document.title + ": " + statistics.error().message);
            return;
        }
        // A new dataset of the same image: histograms and Auto see the new values; the limits
        // stay unless they follow the data.
        auto refreshed = std::make_shared<const core::Dataset>(
            core::Dataset{document.dataset->image, std::move(statistics).value()});
        replaced_dataset(document.dataset.get(), refreshed);
        document.dataset = refreshed;
        document.layers.front().dataset = refreshed;
        document.live_statistics_revision = document.live_statistics_job_revision;
        if (document.live_auto_contrast) {
            core::auto_contrast_visible(document.display(), refreshed->statistics);
        }
    }
    const core::ImageSource& source = *document.image().source;
    const std::uint64_t revision = source.revision();
    const auto now = std::chrono::steady_clock::now();
    if (revision == document.live_statistics_revision ||
        now - document.live_statistics_at < m_live_statistics_interval) {
        return;
    }
    // About a million samples (every n-th row): the cost per refresh does not grow with the image.
    core::StatisticsOptions options;
    options.row_step =
        std::max<std::int64_t>(1, source.width() * source.height() / (std::int64_t{1} << 20));
    document.live_statistics_at = now;
    document.live_statistics_job_revision = revision;
    document.live_statistics_job = std::async(
        std::launch::async,
        [image = document.image().source, options] { return compute_statistics(*image, options); });
}

void Session::apply(IpcEvent event) {
    const std::string& client = event.client;
    const auto missing = [&](std::string_view packet, const std::string& name) {
        report(fmt::format("IPC client {}: {}: no image named '{}'", client, packet, name));
    };
    std::visit(
        [&](auto& what) {
            using T = std::decay_t<decltype(what)>;
            if constexpr (std::is_same_v<T, core::ipc::OpenImage>) {
                const std::string name = what.channel_selector.empty()
                                             ? what.path
                                             : what.path + ":" + what.channel_selector;
                if (auto found = find_by_ipc_name(name)) {
                    reload(*found);
                    if (what.grab_focus) {
                        select(*found);
                    }
                    return;
                }
                open(what.path, what.grab_focus);
                m_documents.back()->channel_selector = what.channel_selector;
            } else if constexpr (std::is_same_v<T, core::ipc::ReloadImage>) {
                auto found = find_by_ipc_name(what.name);
                if (!found) {
                    return missing("ReloadImage", what.name);
                }
                if (m_documents[*found]->live) {
                    report(
                        fmt::format("IPC client {}: ReloadImage: '{}' is a live image, not a "
                                    "file",
                                    client, what.name));
                }
                reload(*found);
                if (what.grab_focus) {
                    select(*found);
                }
            } else if constexpr (std::is_same_v<T, core::ipc::CloseImage>) {
                auto found = find_by_ipc_name(what.name);
                if (!found) {
                    return missing("CloseImage", what.name);
                }
                close(*found);
            } else if constexpr (std::is_same_v<T, core::ipc::VectorGraphics>) {
                auto found = find_by_ipc_name(what.name);
                if (!found) {
                    return missing("VectorGraphics", what.name);
                }
                auto& commands = m_documents[*found]->vector_graphics;
                if (!what.append) {
                    commands.clear();
                }
                commands.insert(commands.end(), std::make_move_iterator(what.commands.begin()),
                                std::make_move_iterator(what.commands.end()));
                m_documents[*found]->vector_shapes = core::ipc::interpret(commands);
                if (what.grab_focus) {
                    select(*found);
                }
            } else if constexpr (std::is_same_v<T, LiveImageCreated>) {
                show_live(what.name, what.image, what.grab_focus);
            } else if constexpr (std::is_same_v<T, LiveImageFocus>) {
                if (auto found = find_by_ipc_name(what.name)) {
                    select(*found);
                }
            }
            // IpcProblem: the server has logged it already; the window shows it.
        },
        event.what);
}

void Session::show_live(const std::string& name, std::shared_ptr<const core::ImageSource> image,
                        bool grab_focus) {
    std::optional<std::size_t> index;
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        if (m_documents[i]->live && m_documents[i]->path == name) {
            index = i;
        }
    }
    if (!index) {
        auto document = std::make_unique<ImageDocument>();
        document->path = name;
        document->title = name;
        document->live = true;
        m_documents.push_back(std::move(document));
        index = m_documents.size() - 1;
    } else {
        m_documents[*index]->reloading = true;
    }
    if (grab_focus || m_documents.size() == 1) {
        m_current = *index;
    }
    // Statistics of the new image on a worker, as for a file; a reload of the same name replaces
    // it in place when the size and channels are the same.
    m_jobs.push_back({name, true, std::async(std::launch::async, live_dataset, name, image)});
}

std::optional<std::size_t> Session::find_by_ipc_name(const std::string& name) const {
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        if (m_documents[i]->ipc_name() == name) {
            return i;
        }
    }
    // A file named another way (relative, through links): the same file.
    std::error_code error;
    const auto wanted = std::filesystem::weakly_canonical(name, error);
    for (std::size_t i = 0; i < m_documents.size() && !error; ++i) {
        const ImageDocument& document = *m_documents[i];
        std::error_code other;
        if (!document.live && document.channel_selector.empty() &&
            std::filesystem::weakly_canonical(document.path, other) == wanted && !other) {
            return i;
        }
    }
    return std::nullopt;
}

const std::vector<core::ChannelStatistics>* ImageDocument::auto_statistics() const {
    if (!is_stack() || auto_from_stack) {
        return &statistics();
    }
    const bool ready = !plane_statistics.empty() && plane_statistics_position == dims.position();
    return ready ? &plane_statistics : nullptr;
}

void Session::update_plane_statistics(ImageDocument& document) {
    if (!document.is_stack()) {
        return;
    }
    if (document.plane_job.valid() &&
        document.plane_job.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        auto statistics = document.plane_job.get();
        if (statistics) {
            document.plane_statistics = std::move(statistics).value();
            document.plane_statistics_position = document.plane_job_position;
        } else if (m_on_error) {
            m_on_error(document.title + ": " + statistics.error().message);
        }
    }
    if (document.auto_pending) {
        if (const auto* statistics = document.auto_statistics()) {
            if (document.auto_pending_channel < 0) {
                core::auto_contrast_visible(document.display(), *statistics);
            } else {
                core::auto_contrast(document.display(), *statistics,
                                    static_cast<std::size_t>(document.auto_pending_channel));
            }
            document.auto_pending = false;
        }
    }
    // One plane at a time: while playing, the plane shown when the last one finishes is next.
    const bool have = !document.plane_statistics.empty() &&
                      document.plane_statistics_position == document.dims.position();
    if (have || document.plane_job.valid()) {
        return;
    }
    const core::ImageSource& source = *document.image().source;
    core::StatisticsOptions options = core::statistics_options_for(source.width(), source.height());
    options.position = document.dims.position();
    document.plane_job_position = options.position;
    document.plane_job =
        std::async(std::launch::async, [source = document.image().source, options] {
            return compute_statistics(*source, options);
        });
}

void Session::make_ready(ImageDocument& document, core::Dataset opened) {
    auto dataset = std::make_shared<const core::Dataset>(std::move(opened));
    const core::Image& image = dataset->image;
    core::ViewLayer layer{dataset,
                          core::default_display(image.source->channels(), dataset->statistics,
                                                image.metadata.transfer),
                          {},
                          true};
    std::string display_error;
    // A file opened again is shown as it was last (display options given on the command line
    // take precedence; Reset gives the defaults back).
    if (m_settings != nullptr && m_initial_display.empty() &&
        document.state == DocumentState::Loading) {
        const auto& channels = image.source->channels();
        const core::DisplaySettings* remembered =
            app::remembered_display(*m_settings, settings_key(document.path), channels);
        if (remembered != nullptr && core::check_display(*remembered, channels).ok()) {
            layer.display = *remembered;
        }
    }
    if (!m_initial_display.empty()) {
        auto requested =
            apply_display_request(m_initial_display, image.source->channels(), layer.display);
        if (requested) {
            layer.display = std::move(requested).value();
        } else {
            display_error = document.title + ": " + requested.error().message;
        }
    }
    if (!m_loader) {  // one loader and one texture cache for every image of the session
        m_loader = std::make_unique<core::TileLoader>(
            core::LoaderOptions{m_streaming.workers, false, m_streaming.cpu_cache});
        m_textures = std::make_shared<gl::TextureCache>(m_streaming.gpu_budget);
    }
    document.tiles =
        std::make_unique<gl::StreamingImage>(image.source, *m_loader, m_textures, m_streaming);
    // Placed by the display window when it differs from the data window (tev and HDRView do):
    // the view fits the display window, and the pixels lie where the data window says.
    const core::Box2i& data = image.metadata.data_window;
    const core::Box2i& frame = image.metadata.display_window;
    const bool windows = data.width() == image.source->width() &&
                         data.height() == image.source->height() && frame.width() > 0 &&
                         frame.height() > 0 && !(data == frame);
    if (windows) {
        layer.placement = {static_cast<double>(data.min_x - frame.min_x),
                           static_cast<double>(data.min_y - frame.min_y), 1.0};
        document.view.set_image_size(frame.width(), frame.height());
    } else {
        document.view.set_image_size(image.source->width(), image.source->height());
    }
    document.title = image.display_name();
    if (!document.channel_selector.empty()) {
        bool any = false;
        for (std::size_t c = 0; c < image.source->channel_count(); ++c) {
            const bool shown =
                selected(image.source->channels()[c].name, document.channel_selector);
            layer.display.channels[c].visible = shown;
            any = any || shown;
        }
        if (!any) {
            display_error = fmt::format("{}: the channel selector '{}' matches no channel",
                                        document.title, document.channel_selector);
            for (auto& channel : layer.display.channels) {
                channel.visible = true;
            }
        }
    }
    if (document.live) {
        document.title = document.path;
        document.live_statistics_revision = 0;
    }
    replaced_dataset(document.dataset.get(), dataset);
    document.dataset = dataset;
    document.layers = {std::move(layer)};
    if (document.dims.axes().size() != image.source->axes().size() ||
        !std::equal(document.dims.axes().begin(), document.dims.axes().end(),
                    image.source->axes().begin(), [](const core::Axis& a, const core::Axis& b) {
                        return a.name == b.name && a.extent == b.extent;
                    })) {
        document.dims = core::Dims(image.source->axes());
    }
    if (document.plane_job.valid()) {
        document.plane_job.wait();  // of the previous source
        document.plane_job = {};
    }
    document.plane_statistics.clear();
    document.auto_pending = false;
    document.state = DocumentState::Ready;
    document.error = display_error;  // the image shows with its defaults, and says why
    document.selected_channel = 0;
}

void Session::integrate(Job& job, LoadResult result) {
    // The documents of this file, in part order.
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        if (m_documents[i]->path == job.path) {
            indices.push_back(i);
        }
    }
    if (indices.empty()) {
        return;  // closed while loading
    }
    for (std::size_t i : indices) {
        m_documents[i]->reloading = false;
        m_documents[i]->modified = result.modified;
        m_documents[i]->file_size = result.file_size;
    }
    if (!result.error.empty()) {
        if (m_on_error) {
            m_on_error(result.error);
        }
        for (std::size_t i : indices) {
            ImageDocument& document = *m_documents[i];
            document.error = result.error;
            if (job.previous_axes) {  // later reloads open the file as it is shown
                document.load.axes = *job.previous_axes;
            }
            if (document.state == DocumentState::Loading) {
                document.state = DocumentState::Failed;
            }
        }
        return;
    }
    // Update or fill the existing documents part by part; extra parts get new documents.
    for (std::size_t part = 0; part < result.datasets.size(); ++part) {
        core::Dataset& loaded = result.datasets[part];
        if (part < indices.size()) {
            ImageDocument& document = *m_documents[indices[part]];
            const bool keep = document.state == DocumentState::Ready && document.tiles &&
                              document.tiles->replace_source(loaded.image.source).ok();
            if (document.dataset) {
                input_reloaded(document.dataset->image.source.get(), loaded.image.source);
            }
            if (keep) {
                // In place: textures updated, display settings and view kept.
                auto replacement = std::make_shared<const core::Dataset>(std::move(loaded));
                replaced_dataset(document.dataset.get(), replacement);
                document.dataset = std::move(replacement);
                document.layers.front().dataset = document.dataset;
                document.plane_statistics.clear();  // of the old pixels
                document.error.clear();
                ++document.in_place_reloads;
            } else {
                make_ready(document, std::move(loaded));
            }
            continue;
        }
        auto document = std::make_unique<ImageDocument>();
        document->path = job.path;
        document->load = m_documents[indices.front()]->load;
        document->modified = result.modified;
        document->file_size = result.file_size;
        make_ready(*document, std::move(loaded));
        const std::size_t at = indices.back() + (part - indices.size()) + 1;
        m_documents.insert(m_documents.begin() + static_cast<std::ptrdiff_t>(at),
                           std::move(document));
        if (m_current >= at) {
            ++m_current;
        }
    }
    // A file with fewer parts than before: drop the parts that are gone.
    for (std::size_t k = indices.size(); k-- > result.datasets.size();) {
        m_documents.erase(m_documents.begin() + static_cast<std::ptrdiff_t>(indices[k]));
        if (m_current >= indices[k] && m_current > 0) {
            --m_current;
        }
    }
}

gl::StreamingImage* Session::tiles_for(const core::Dataset* dataset) {
    for (const auto& document : m_documents) {
        if (document->dataset.get() == dataset && document->tiles) {
            return document->tiles.get();
        }
    }
    return nullptr;
}

ImageDocument* Session::current() {
    return m_current < m_documents.size() ? m_documents[m_current].get() : nullptr;
}

void Session::select(std::size_t index) {
    if (index < m_documents.size()) {
        m_current = index;
    }
}

void Session::next() {
    if (!m_documents.empty()) {
        m_current = (m_current + 1) % m_documents.size();
    }
}

void Session::previous() {
    if (!m_documents.empty()) {
        m_current = (m_current + m_documents.size() - 1) % m_documents.size();
    }
}

void Session::close(std::size_t index) {
    if (index >= m_documents.size()) {
        return;
    }
    ImageDocument& document = *m_documents[index];
    if (document.live && m_live && document.dataset &&
        m_live->find(document.path).get() == document.dataset->image.source.get()) {
        m_live->remove(document.path);  // updates to it are refused from now on
    }
    if (document.live_statistics_job.valid()) {
        document.live_statistics_job.wait();
    }
    remember_display(document);
    m_documents.erase(m_documents.begin() + static_cast<std::ptrdiff_t>(index));
    if (m_current > index || (m_current >= m_documents.size() && m_current > 0)) {
        --m_current;
    }
}

void Session::remember_display(const ImageDocument& document) {
    std::error_code error;
    if (m_settings == nullptr || document.state != DocumentState::Ready || document.live ||
        document.derived || !std::filesystem::is_regular_file(document.path, error)) {
        return;
    }
    RememberedDisplay remembered{settings_key(document.path), {}, document.display()};
    for (const core::ChannelInfo& channel : document.image().source->channels()) {
        remembered.channel_names.push_back(channel.name);
    }
    app::remember_display(*m_settings, std::move(remembered));
}

std::optional<core::PhysicalSize> Session::physical_size(const ImageDocument& document) const {
    if (m_pixel_size) {
        return m_pixel_size;
    }
    if (document.state != DocumentState::Ready || document.derived) {
        return std::nullopt;
    }
    const auto& size = document.image().metadata.pixel_size;
    if (size.x > 0) {
        return core::PhysicalSize{size.x, size.unit.empty() ? "µm" : size.unit};
    }
    return std::nullopt;
}

void Session::remember_displays() {
    // In reverse, so that the image shown first ends up first (most recent).
    for (auto document = m_documents.rbegin(); document != m_documents.rend(); ++document) {
        remember_display(**document);
    }
}

void Session::set_labels(std::size_t index, bool on) {
    if (index >= m_documents.size() || m_documents[index]->state != DocumentState::Ready) {
        return;
    }
    ImageDocument& document = *m_documents[index];
    const auto& source = document.image().source;
    auto shown = on ? core::as_labels(source) : core::without_labels(source);
    if (shown == source) {
        return;
    }
    document.load.labels = on;
    core::Dataset dataset{core::Image{shown, document.image().metadata}, document.statistics()};
    const core::ViewController view = document.view;
    make_ready(document, std::move(dataset));
    document.view = view;
}

bool Session::add_layer(std::size_t over, std::size_t from) {
    if (over >= m_documents.size() || from >= m_documents.size() || over == from ||
        m_documents[over]->state != DocumentState::Ready ||
        m_documents[from]->state != DocumentState::Ready) {
        return false;
    }
    ImageDocument& below = *m_documents[over];
    const ImageDocument& above = *m_documents[from];
    const core::ImageSource& base = *below.image().source;
    const core::ImageSource& layer = *above.image().source;
    core::ViewLayer added{above.dataset, above.display(), {}, true};
    added.display.blend = core::BlendMode::Over;
    for (core::ChannelDisplay& channel : added.display.channels) {
        channel.opacity = 0.5f;
    }
    // The same aspect: scaled to cover the image below (exactly when the sizes divide).
    const double sx = static_cast<double>(base.width()) / static_cast<double>(layer.width());
    const double sy = static_cast<double>(base.height()) / static_cast<double>(layer.height());
    if (std::abs(sx - sy) <= 1e-6 * std::max(sx, sy)) {
        added.placement.scale = sx;
    }
    below.layers.push_back(std::move(added));
    return true;
}

void Session::replaced_dataset(const core::Dataset* old,
                               const std::shared_ptr<const core::Dataset>& replacement) {
    // A reloaded reference stays the reference; differences from it are computed again.
    if (old != nullptr && m_comparison && m_comparison->reference.get() == old) {
        m_comparison->reference = replacement;
    }
    // Layers showing it over other images show the new one (the same image, reloaded).
    for (auto& document : m_documents) {
        for (std::size_t i = 1; i < document->layers.size(); ++i) {
            core::ViewLayer& layer = document->layers[i];
            if (old != nullptr && layer.dataset.get() == old &&
                layer.display.channels.size() == replacement->image.source->channel_count()) {
                layer.dataset = replacement;
            }
        }
    }
}

void Session::toggle_reference(std::size_t index) {
    if (index >= m_documents.size() || m_documents[index]->state != DocumentState::Ready) {
        return;
    }
    const ImageDocument& document = *m_documents[index];
    if (m_comparison && m_comparison->reference == document.dataset) {
        m_comparison.reset();
        return;
    }
    const core::ErrorMetric metric =
        m_comparison ? m_comparison->metric : core::ErrorMetric::AbsoluteError;
    m_comparison = Comparison{document.dataset, document.title, metric, false};
}

void Session::set_metric(core::ErrorMetric metric) {
    if (m_comparison) {
        m_comparison->metric = metric;
    }
}

void Session::toggle_wipe() {
    if (m_comparison) {
        m_comparison->wipe = !m_comparison->wipe;
    }
}

void Session::set_wipe_at(double fraction) {
    if (m_comparison) {
        m_comparison->wipe_at = std::clamp(fraction, 0.0, 1.0);
    }
}

void Session::toggle_show_reference() {
    if (m_comparison) {
        m_comparison->show_reference = !m_comparison->show_reference;
    }
}

ImageDocument* Session::reference_document() {
    if (!m_comparison) {
        return nullptr;
    }
    for (auto& document : m_documents) {
        if (document->state == DocumentState::Ready &&
            document->dataset == m_comparison->reference) {
            return document.get();
        }
    }
    return nullptr;
}

bool Session::comparing(const ImageDocument& document) {
    const ImageDocument* reference = reference_document();
    const DocumentDifference& difference = document.difference;
    return reference != nullptr && reference != &document &&
           document.state == DocumentState::Ready && difference.error.empty() &&
           !difference.pairs.empty() &&
           difference.display.channels.size() == document.image().source->channel_count() &&
           difference.reference == m_comparison->reference.get();
}

void Session::finish_difference(ImageDocument& document) {
    DocumentDifference& difference = document.difference;
    if (difference.job.valid() &&
        difference.job.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        auto result = difference.job.get();
        if (result) {
            difference.pairs = std::move(result->pairs);
            difference.display = std::move(result->display);
            difference.statistics = std::move(result->statistics);
            difference.error.clear();
        } else {
            difference.error = result.error().message;
        }
        difference.ready = true;
    }
}

void Session::update_difference(ImageDocument& document) {
    DocumentDifference& difference = document.difference;
    // A finished computation is taken in first, so that the next one (the metric or plane
    // changed meanwhile) starts in the same poll: busy() never says idle in between.
    finish_difference(document);
    if (difference.job.valid()) {
        return;  // one at a time; the next starts once it is done
    }
    const ImageDocument* reference = reference_document();
    if (reference == nullptr || reference == &document) {
        return;
    }
    if (difference.image == document.dataset.get() &&
        difference.reference == m_comparison->reference.get() &&
        difference.metric == m_comparison->metric &&
        difference.position == document.dims.position() &&
        difference.reference_position == reference->dims.position()) {
        return;  // up to date, or being computed
    }
    difference.image = document.dataset.get();
    difference.reference = m_comparison->reference.get();
    difference.metric = m_comparison->metric;
    difference.position = document.dims.position();
    difference.reference_position = reference->dims.position();
    difference.ready = false;
    difference.error.clear();
    const core::ImageSource& a = *document.image().source;
    const core::ImageSource& b = *reference->image().source;
    const auto pairs = core::match_channels(a.channels(), b.channels()).pairs;
    const auto same_pair = [](const core::ChannelPair& x, const core::ChannelPair& y) {
        return x.a == y.a && x.b == y.b;
    };
    if (!std::equal(pairs.begin(), pairs.end(), difference.pairs.begin(), difference.pairs.end(),
                    same_pair) ||
        a.width() != b.width() || a.height() != b.height()) {
        difference.pairs.clear();  // of other images: nothing is shown until the new one is done
        difference.display = {};
        difference.statistics.clear();
    }
    if (a.width() != b.width() || a.height() != b.height()) {
        difference.error =
            fmt::format("{} and the reference {} differ in size: {}x{} and {}x{}", document.title,
                        reference->title, a.width(), a.height(), b.width(), b.height());
        difference.ready = true;
        return;
    }
    if (pairs.empty()) {
        difference.error = fmt::format("{} and the reference {} have no channel in common",
                                       document.title, reference->title);
        difference.ready = true;
        return;
    }
    // The metric's statistics give the difference's limits; the difference's statistics are of
    // every pixel at full resolution.
    const core::CompareInput input{document.image().source, difference.position};
    const core::CompareInput against{reference->image().source, difference.reference_position};
    const core::ErrorMetric metric = difference.metric;
    const std::size_t channels = a.channel_count();
    difference.job = std::async(
        std::launch::async,
        [input, against, pairs, metric, channels]() -> core::Result<DocumentDifference::Result> {
            auto image = core::DifferenceImage::create(input, against, pairs, metric);
            if (!image) {
                return image.error();
            }
            const core::ImageSource& source = **image;
            auto statistics = core::compute_statistics(
                source, core::statistics_options_for(source.width(), source.height()));
            if (!statistics) {
                return statistics.error();
            }
            auto measured = core::difference_statistics(input, against, pairs);
            if (!measured) {
                return measured.error();
            }
            return DocumentDifference::Result{
                pairs,
                core::settings_over_a(
                    core::difference_display(source.channels(), *statistics, metric), pairs,
                    channels),
                std::move(measured).value()};
        });
}

std::vector<std::size_t> Session::grid_documents() const {
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        if (m_documents[i]->state == DocumentState::Ready && m_documents[i]->in_grid) {
            shown.push_back(i);
        }
    }
    return shown;
}

void Session::release_hidden() {
    // Shown: the current document's datasets, its own and its layers', and the reference it is
    // compared with.
    std::vector<const core::Dataset*> shown;
    if (const ImageDocument* document = current()) {
        for (const core::ViewLayer& layer : document->layers) {
            shown.push_back(layer.dataset.get());
        }
    }
    if (m_comparison) {
        shown.push_back(m_comparison->reference.get());
    }
    if (m_grid) {
        for (const std::size_t i : grid_documents()) {
            shown.push_back(m_documents[i]->dataset.get());
        }
    }
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        ImageDocument& document = *m_documents[i];
        const bool is_shown = i == m_current || std::find(shown.begin(), shown.end(),
                                                          document.dataset.get()) != shown.end();
        if (!is_shown && document.tiles && document.tiles->holds_memory()) {
            document.tiles->release();
        }
    }
}

}  // namespace tessera::app
