#include "app/session/Session.h"

#include <algorithm>

#include <fmt/format.h>

namespace tessera::app {
namespace {

std::string file_name(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

bool same_shape(const core::ImageSource& a, const core::ImageSource& b) {
    if (a.width() != b.width() || a.height() != b.height() ||
        a.channel_count() != b.channel_count()) {
        return false;
    }
    for (std::size_t c = 0; c < a.channel_count(); ++c) {
        if (a.channels()[c].name != b.channels()[c].name ||
            a.channels()[c].type != b.channels()[c].type) {
            return false;
        }
    }
    return true;
}

}  // namespace

LoadResult load_file(const std::string& path, const core::LoadOptions& options) {
    LoadResult result;
    result.path = path;
    std::error_code error;
    result.modified = std::filesystem::last_write_time(path, error);
    result.file_size = std::filesystem::file_size(path, error);
    auto images = core::load_images(path, options);
    if (!images) {
        result.error = images.error().message;
        return result;
    }
    for (core::Image& image : images.value()) {
        auto statistics = core::compute_statistics(
            *image.source,
            core::statistics_options_for(image.source->width(), image.source->height()));
        if (!statistics) {
            result.error = fmt::format("{}: {}", path, statistics.error().message);
            result.images.clear();
            result.statistics.clear();
            return result;
        }
        result.images.push_back(std::move(image));
        result.statistics.push_back(std::move(statistics).value());
    }
    return result;
}

Session::~Session() {
    for (Job& job : m_jobs) {
        job.result.wait();  // workers read files we still own; let them finish
    }
    m_documents.clear();  // their tile streams before the loader
}

void Session::open(const std::string& path, bool show) {
    auto document = std::make_unique<ImageDocument>();
    document->path = path;
    document->title = file_name(path);
    m_documents.push_back(std::move(document));
    if (show || m_documents.size() == 1) {
        m_current = m_documents.size() - 1;
    }
    m_jobs.push_back({path, false, std::async(std::launch::async, load_file, path, m_options)});
}

void Session::add(core::Image image, std::vector<core::ChannelStatistics> statistics) {
    auto document = std::make_unique<ImageDocument>();
    document->path = image.metadata.path;
    document->title = image.display_name();
    make_ready(*document, std::move(image), std::move(statistics));
    m_documents.push_back(std::move(document));
    m_current = m_documents.size() - 1;
}

void Session::reload(std::size_t index) {
    if (index >= m_documents.size()) {
        return;
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
    m_jobs.push_back({path, true, std::async(std::launch::async, load_file, path, m_options)});
}

void Session::watch_files(std::chrono::milliseconds interval) {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_watch < interval) {
        return;
    }
    m_last_watch = now;
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        const ImageDocument& document = *m_documents[i];
        if (document.state == DocumentState::Loading || document.reloading) {
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
}

void Session::make_ready(ImageDocument& document, core::Image image,
                         std::vector<core::ChannelStatistics> statistics) {
    document.display =
        core::default_display(image.source->channels(), statistics, image.metadata.transfer);
    std::string display_error;
    if (!m_initial_display.empty()) {
        auto requested =
            apply_display_request(m_initial_display, image.source->channels(), document.display);
        if (requested) {
            document.display = std::move(requested).value();
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
    document.view.set_image_size(image.source->width(), image.source->height());
    document.title = image.display_name();
    document.image = std::move(image);
    document.statistics = std::move(statistics);
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
            if (document.state == DocumentState::Loading) {
                document.state = DocumentState::Failed;
            }
        }
        return;
    }
    // Update or fill the existing documents part by part; extra parts get new documents.
    for (std::size_t part = 0; part < result.images.size(); ++part) {
        if (part < indices.size()) {
            ImageDocument& document = *m_documents[indices[part]];
            const bool keep = document.state == DocumentState::Ready && document.tiles &&
                              same_shape(*document.image.source, *result.images[part].source) &&
                              document.tiles->replace_source(result.images[part].source).ok();
            if (keep) {
                // In place: textures updated, display settings and view kept.
                document.image = std::move(result.images[part]);
                document.statistics = std::move(result.statistics[part]);
                document.error.clear();
                ++document.in_place_reloads;
            } else {
                make_ready(document, std::move(result.images[part]),
                           std::move(result.statistics[part]));
            }
            continue;
        }
        auto document = std::make_unique<ImageDocument>();
        document->path = job.path;
        document->modified = result.modified;
        document->file_size = result.file_size;
        make_ready(*document, std::move(result.images[part]), std::move(result.statistics[part]));
        const std::size_t at = indices.back() + (part - indices.size()) + 1;
        m_documents.insert(m_documents.begin() + static_cast<std::ptrdiff_t>(at),
                           std::move(document));
        if (m_current >= at) {
            ++m_current;
        }
    }
    // A file with fewer parts than before: drop the parts that are gone.
    for (std::size_t k = indices.size(); k-- > result.images.size();) {
        m_documents.erase(m_documents.begin() + static_cast<std::ptrdiff_t>(indices[k]));
        if (m_current >= indices[k] && m_current > 0) {
            --m_current;
        }
    }
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

void Session::close_current() {
    if (m_current >= m_documents.size()) {
        return;
    }
    m_documents.erase(m_documents.begin() + static_cast<std::ptrdiff_t>(m_current));
    if (m_current >= m_documents.size() && m_current > 0) {
        --m_current;
    }
}

void Session::release_hidden() {
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        ImageDocument& document = *m_documents[i];
        if (i != m_current && document.tiles && document.tiles->holds_memory()) {
            document.tiles->release();
        }
    }
}

}  // namespace tessera::app
