//! Cutting the client's byte stream into lines without trusting it: a line is kept only up to
//! a limit (a client that never sends a newline cannot make the server buffer without end),
//! and its bytes are handed over as they came, so that a line that is not UTF-8 can be answered
//! rather than ending the session the way a text reader's error would.

use tokio::io::{AsyncBufRead, AsyncBufReadExt as _};

/// One read from the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A whole line, without its `\n` (the last line may lack one).
    Bytes(Vec<u8>),
    /// A line longer than the limit: it was skipped up to and including its newline.
    TooLong,
    /// The client closed the stream.
    End,
}

/// Reads the next line of at most `max` bytes (newline not counted) from `reader`.
pub async fn next_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(match (too_long, line.is_empty()) {
                (true, _) => Line::TooLong,
                (false, true) => Line::End,
                (false, false) => Line::Bytes(line),
            });
        }
        let newline = available.iter().position(|b| *b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        // Once over the limit the rest of the line is only skipped, never kept.
        if !too_long && line.len() + chunk.len() > max {
            too_long = true;
            line = Vec::new();
        }
        if !too_long {
            line.extend_from_slice(chunk);
        }
        let consumed = newline.map_or(available.len(), |at| at + 1);
        reader.consume(consumed);
        if newline.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Bytes(line) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    async fn lines(input: &[u8], max: usize) -> Vec<Line> {
        // A tiny buffer, so that lines straddle reads.
        let mut reader = BufReader::with_capacity(3, input);
        let mut out = Vec::new();
        loop {
            match next_line(&mut reader, max).await.unwrap() {
                Line::End => return out,
                line => out.push(line),
            }
        }
    }

    #[tokio::test]
    async fn lines_within_the_limit_pass_longer_ones_are_skipped_to_their_newline() {
        let got = lines(b"abc\n\xff\xfe\n0123456789\nxy\n\nlast", 5).await;
        assert_eq!(
            got,
            vec![
                Line::Bytes(b"abc".to_vec()),
                Line::Bytes(b"\xff\xfe".to_vec()),
                Line::TooLong,
                Line::Bytes(b"xy".to_vec()),
                Line::Bytes(Vec::new()),
                Line::Bytes(b"last".to_vec()),
            ]
        );
        assert_eq!(lines(b"12345\n123456\n", 5).await, vec![Line::Bytes(b"12345".to_vec()), Line::TooLong]);
        assert_eq!(lines(b"0123456789", 5).await, vec![Line::TooLong], "an endless line at the end");
    }
}
