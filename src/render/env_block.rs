//! A block of lines cfn manages inside a file that is otherwise the user's (a checkout's
//! `.env`): between a begin and an end marker line, replaced as a whole on every render and
//! removed as a whole, while every line outside it stays byte for byte as the user wrote it.

/// The first line of the block; a line starting with [`BEGIN_PREFIX`] opens it.
pub const BEGIN: &str =
    "# >>> cfn: begin of the block cfn writes for plain `docker compose`; edits inside it are lost";
pub const END: &str = "# <<< cfn: end of the block";
const BEGIN_PREFIX: &str = "# >>> cfn:";
const END_PREFIX: &str = "# <<< cfn:";

/// Byte range of the block in `text`, end marker line included; an unterminated block runs to
/// the end of the file.
pub fn find(text: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        match start {
            None if trimmed.starts_with(BEGIN_PREFIX) => start = Some(offset),
            Some(s) if trimmed.starts_with(END_PREFIX) => return Some(s..offset + line.len()),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| s..text.len())
}

/// The user's lines: `text` without the block.
pub fn outside(text: &str) -> String {
    match find(text) {
        Some(range) => format!("{}{}", &text[..range.start], &text[range.end..]),
        None => text.to_string(),
    }
}

/// The block's lines, markers excluded (empty when there is none).
pub fn inside(text: &str) -> &str {
    let Some(range) = find(text) else { return "" };
    let block = &text[range];
    let body = block.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    match body.rfind(END_PREFIX) {
        Some(end) => &body[..end],
        None => body,
    }
}

/// `text` with its block replaced by `body` (lines, each ending in `\n`), or removed when
/// `body` is `None`. A new block goes at the end, after a newline if the last line lacks one.
pub fn splice(text: &str, body: Option<&str>) -> String {
    let block = body.map(|b| format!("{BEGIN}\n{b}{END}\n"));
    match (find(text), block) {
        (Some(range), block) => {
            format!("{}{}{}", &text[..range.start], block.unwrap_or_default(), &text[range.end..])
        }
        (None, Some(block)) => {
            let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
            format!("{text}{sep}{block}")
        }
        (None, None) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_lines_survive_every_render() {
        let user = "# mine\nA=1\nexport B='x y'\n";
        let once = splice(user, Some("K=1\n"));
        assert_eq!(once, format!("{user}{BEGIN}\nK=1\n{END}\n"));
        assert_eq!(inside(&once), "K=1\n");
        let edited = format!("{once}C=3\n");
        let twice = splice(&edited, Some("K=2\nL=3\n"));
        assert_eq!(twice, format!("{user}{BEGIN}\nK=2\nL=3\n{END}\nC=3\n"));
        assert_eq!(outside(&twice), format!("{user}C=3\n"));
        assert_eq!(splice(&twice, None), format!("{user}C=3\n"));
        assert_eq!(splice(user, None), user);
    }

    #[test]
    fn a_missing_newline_and_a_missing_end_marker() {
        assert_eq!(splice("A=1", Some("K=1\n")), format!("A=1\n{BEGIN}\nK=1\n{END}\n"));
        assert_eq!(splice("", Some("K=1\n")), format!("{BEGIN}\nK=1\n{END}\n"));
        let cut = format!("A=1\n{BEGIN}\nK=1\n");
        assert_eq!(splice(&cut, Some("K=2\n")), format!("A=1\n{BEGIN}\nK=2\n{END}\n"));
        assert_eq!(inside(&cut), "K=1\n");
    }
}
