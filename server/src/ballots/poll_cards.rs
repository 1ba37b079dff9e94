//! Printable poll cards: eight to an A4 page, each with the round's title, the voting code in
//! large type, the address to vote at, and a QR code that opens the online ballot with the
//! code filled in.

use crate::pdf::{self, fit, qr, wrap, Font, Page};

const COLS: usize = 2;
const ROWS: usize = 4;

/// The PDF of poll cards for `codes`; `vote_url` is the ballot's address without the code.
pub fn render(round_title: &str, vote_url: &str, codes: &[String]) -> Vec<u8> {
    let (w, h) = pdf::A4;
    let (cw, ch) = (w / COLS as f32, h / ROWS as f32);
    let mut pages = Vec::new();
    for chunk in codes.chunks(COLS * ROWS) {
        let mut page = Page::default();
        for i in 1..COLS {
            page.dashed_line(cw * i as f32, 0.0, cw * i as f32, h);
        }
        for i in 1..ROWS {
            page.dashed_line(0.0, ch * i as f32, w, ch * i as f32);
        }
        for (i, code) in chunk.iter().enumerate() {
            let x = (i % COLS) as f32 * cw + 18.0;
            let top = h - (i / COLS) as f32 * ch - 26.0;
            let text_w = cw - 36.0;
            page.text(
                x,
                top,
                13.0,
                Font::Bold,
                &fit(round_title, 13.0, Font::Bold, text_w),
            );
            page.text(x, top - 20.0, 10.0, Font::Regular, "Your voting code:");
            page.text(x, top - 44.0, 19.0, Font::Bold, code);
            page.text(
                x,
                top - 66.0,
                9.0,
                Font::Regular,
                "Vote online by scanning the code, or at:",
            );
            for (n, line) in wrap(vote_url, 7.0, text_w).iter().take(2).enumerate() {
                page.text(x, top - 78.0 - 9.0 * n as f32, 7.0, Font::Regular, line);
            }
            let notes = [
                "You can also vote at a pop-up kiosk.",
                "Each code can be used once.",
            ];
            for (n, line) in notes.iter().enumerate() {
                page.text(x, top - 104.0 - 12.0 * n as f32, 9.0, Font::Regular, line);
            }
            let url = format!("{vote_url}?code={code}");
            qr(&mut page, x + text_w - 80.0, top - 184.0, 80.0, &url);
        }
        pages.push(page);
    }
    pdf::document(pdf::A4, &pages, &format!("Poll cards: {round_title}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_cards_a_page() {
        let codes: Vec<String> = (0..9).map(|i| format!("AAAA-BBBB-CCCC-{i}")).collect();
        let pdf = render(
            "Riverside Decides (2027)",
            "https://pb.example/rounds/x/vote",
            &codes,
        );
        let s = String::from_utf8_lossy(&pdf);
        assert!(s.contains("/Count 2"));
        assert!(s.contains("(AAAA-BBBB-CCCC-8) Tj"));
        assert!(s.contains("(Riverside Decides \\(2027\\)) Tj"));
        assert!(s.matches(" re f").count() > 9 * 100, "QR modules are drawn");
    }
}
