//! A small PDF writer for printable documents (poll cards, posters): A4 or A3 pages of text in
//! the standard Helvetica fonts, filled rectangles and lines. No embedded fonts or images, so
//! files are small and print anywhere. Text is limited to Latin-1 (other characters print as
//! `?`).

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// A4 portrait, in points.
pub const A4: (f32, f32) = (595.28, 841.89);
/// A3 portrait, in points.
pub const A3: (f32, f32) = (841.89, 1190.55);

/// A font.
#[derive(Debug, Clone, Copy)]
pub enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

/// One page being drawn; the origin is the bottom-left corner.
#[derive(Debug, Default)]
pub struct Page {
    ops: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '£' => out.push_str("\\243"),
            c if (' '..='~').contains(&c) => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

impl Page {
    /// Writes text with its baseline starting at (x, y).
    pub fn text(&mut self, x: f32, y: f32, size: f32, font: Font, text: &str) {
        let f = match font {
            Font::Regular => "F1",
            Font::Bold => "F2",
        };
        let _ = writeln!(
            self.ops,
            "BT /{f} {size:.1} Tf {x:.2} {y:.2} Td ({}) Tj ET",
            escape(text)
        );
    }

    /// A filled black rectangle.
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let _ = writeln!(self.ops, "{x:.2} {y:.2} {w:.2} {h:.2} re f");
    }

    /// A thin dashed grey line (for cutting).
    pub fn dashed_line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let _ = writeln!(
            self.ops,
            "q 0.6 G 0.5 w [4 3] 0 d {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S Q"
        );
    }

    /// An approximate text width, for centring and truncating.
    pub fn width(text: &str, size: f32, font: Font) -> f32 {
        let per_char = match font {
            Font::Regular => 0.52,
            Font::Bold => 0.57,
        };
        text.chars().count() as f32 * size * per_char
    }
}

/// Draws a QR code for `data` with its bottom-left corner at (x, y), `size` points wide.
pub fn qr(page: &mut Page, x: f32, y: f32, size: f32, data: &str) {
    let Ok(code) = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M) else {
        return;
    };
    let n = code.width();
    let quiet = 2;
    let module = size / (n + 2 * quiet) as f32;
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let (col, row) = (i % n, i / n);
            page.fill_rect(
                x + (col + quiet) as f32 * module,
                y + size - (row + quiet + 1) as f32 * module,
                module + 0.05,
                module + 0.05,
            );
        }
    }
}

/// Shortens text with "..." until it fits `width` at `size` points.
pub fn fit(text: &str, size: f32, font: Font, width: f32) -> String {
    let mut t: String = text.to_string();
    while Page::width(&t, size, font) > width && t.chars().count() > 4 {
        t = t.chars().take(t.chars().count() - 2).collect::<String>();
        t = format!("{}…", t.trim_end_matches('…').trim_end());
    }
    t.replace('…', "...")
}

/// Splits text into lines that fit `width` at `size` points.
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let per_line = ((width / (size * 0.52)) as usize).max(10);
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(per_line).map(|c| c.iter().collect()).collect()
}

/// Builds a PDF file from pages of the given size.
pub fn document(size: (f32, f32), pages: &[Page], title: &str) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: String| {
        offsets.push(out.len());
        let n = offsets.len();
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    };
    // 1: catalog, 2: pages, 3: Helvetica, 4: Helvetica-Bold, 5: info, then page/content pairs.
    let first_page = 6;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    object(&mut out, "<< /Type /Catalog /Pages 2 0 R >>".into());
    object(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    );
    for name in ["Helvetica", "Helvetica-Bold"] {
        object(
            &mut out,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
            ),
        );
    }
    object(
        &mut out,
        format!("<< /Title ({}) /Producer (youdecide) >>", escape(title)),
    );
    for (i, page) in pages.iter().enumerate() {
        let content = first_page + 2 * i + 1;
        object(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content} 0 R >>",
                size.0, size.1
            ),
        );
        object(
            &mut out,
            format!(
                "<< /Length {} >>\nstream\n{}endstream",
                page.ops.len(),
                page.ops
            ),
        );
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_well_formed_file() {
        let mut p = Page::default();
        p.text(10.0, 10.0, 12.0, Font::Bold, "Hello (world) £5");
        p.fill_rect(1.0, 1.0, 2.0, 2.0);
        let pdf = document(A4, &[p, Page::default()], "Test");
        let s = String::from_utf8_lossy(&pdf);
        assert!(s.starts_with("%PDF-1.4"));
        assert!(s.contains("/Count 2"));
        assert!(s.contains("(Hello \\(world\\) \\2435) Tj"));
        assert!(s.trim_end().ends_with("%%EOF"));
        // The xref offset (in bytes) points at the xref table.
        let start: usize = s
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
    }
}
