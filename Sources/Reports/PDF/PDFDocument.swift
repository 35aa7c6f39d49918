import CCairo
import Foundation

/// A PDF drawn with cairo, page by page, written to a temporary file and renamed into place only
/// when complete, so a reader never sees half a report.
///
/// Not thread-safe: one document is drawn by one task. Fonts come from fontconfig (DejaVu Sans on
/// Debian's fonts-dejavu-core) and are embedded by cairo.
public final class PDFDocument {
    public let width: Double
    public let height: Double
    private let finalPath: String
    private let temporaryPath: String
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private var finished = false

    public enum PDFError: Error, CustomStringConvertible {
        case cannotCreate(path: String, status: String)
        case drawingFailed(status: String)
        case cannotMove(String)

        public var description: String {
            switch self {
            case .cannotCreate(let path, let status): "cannot create PDF at \(path): \(status)"
            case .drawingFailed(let status): "drawing the PDF failed: \(status)"
            case .cannotMove(let why): "cannot move the finished PDF into place: \(why)"
            }
        }
    }

    /// Starts a document of A4 pages (in points) that will be written to `path`.
    public init(path: String, width: Double = 595.28, height: Double = 841.89) throws {
        self.width = width
        self.height = height
        finalPath = path
        temporaryPath = path + ".partial-\(UUID().uuidString)"
        guard let surface = cairo_pdf_surface_create(temporaryPath, width, height) else {
            throw PDFError.cannotCreate(path: path, status: "no surface")
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw PDFError.cannotCreate(path: path, status: String(cString: cairo_status_to_string(status)))
        }
        self.surface = surface
        cairo = cairo_create(surface)
    }

    deinit {
        cairo_destroy(cairo)
        cairo_surface_destroy(surface)
        if !finished { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    /// Draws `text` with its baseline starting at (`x`, `y`), in points from the top left.
    public func text(_ text: String, x: Double, y: Double, size: Double = 11, bold: Bool = false,
                     color: (Double, Double, Double) = (0.11, 0.14, 0.2)) {
        cairo_select_font_face(cairo, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cairo, size)
        cairo_set_source_rgb(cairo, color.0, color.1, color.2)
        cairo_move_to(cairo, x, y)
        cairo_show_text(cairo, text)
    }

    /// The advance width of `text` at `size`, for right-aligning and wrapping.
    public func textWidth(_ text: String, size: Double = 11, bold: Bool = false) -> Double {
        cairo_select_font_face(cairo, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cairo, size)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cairo, text, &extents)
        return extents.x_advance
    }

    /// Fills a rectangle, for bars, tiles and rules.
    public func rectangle(x: Double, y: Double, width: Double, height: Double, color: (Double, Double, Double)) {
        cairo_set_source_rgb(cairo, color.0, color.1, color.2)
        cairo_rectangle(cairo, x, y, width, height)
        cairo_fill(cairo)
    }

    /// Ends the current page and starts a new one.
    public func newPage() {
        cairo_show_page(cairo)
    }

    /// Finishes the file and moves it to its final path; the document cannot be drawn on afterwards.
    public func finish() throws {
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PDFError.drawingFailed(status: String(cString: cairo_status_to_string(status)))
        }
        guard rename(temporaryPath, finalPath) == 0 else {
            throw PDFError.cannotMove(String(cString: strerror(errno)))
        }
        finished = true
    }
}
