//! Source files, byte spans and the line index that turns spans into positions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the [`Sources`] of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one file. Offsets are `u32`: files larger than 4 GiB are refused
/// before parsing (see [`MAX_FILE_BYTES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

/// Files larger than this are reported as unparseable (BL001) instead of being read.
/// The largest of 9,400 real files is 357 KB and CloudFormation accepts templates up
/// to 1 MB, while memory grows about 100-fold over the bytes of a file of buckets:
/// a 50 MB `.tf` would need 5 GB, so a hostile file is refused, not killed.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// An empty span at `offset`.
    pub fn point(file: FileId, offset: usize) -> Span {
        Span::new(file, offset..offset)
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both (same file assumed).
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A position for humans and tools: 1-based line, 1-based column in Unicode code points
/// (what editors and rustc show) and 1-based column in UTF-16 code units (what SARIF
/// and LSP default to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub utf16_column: u32,
}

/// Byte offsets of line starts, for offset → position conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// In lines longer than [`CHECKPOINT`] bytes: (byte offset, code points and
    /// UTF-16 units from the line start) every [`CHECKPOINT`] bytes, so a position
    /// in a one-line template costs at most that much counting, not the line.
    checkpoints: Vec<(u32, u32, u32)>,
}

/// Spacing of [`LineIndex::checkpoints`].
const CHECKPOINT: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0u32];
        // `match_indices` of a char searches with memchr: several times a byte loop.
        starts.extend(text.match_indices('\n').map(|(i, _)| (i + 1) as u32));
        let mut checkpoints = Vec::new();
        for (i, &s) in starts.iter().enumerate() {
            let start = s as usize;
            let end = starts.get(i + 1).map_or(text.len(), |&e| e as usize);
            if end - start <= CHECKPOINT {
                continue;
            }
            let (mut chars, mut units, mut next) = (0u32, 0u32, start + CHECKPOINT);
            for (at, c) in text[start..end].char_indices() {
                let at = start + at;
                if at >= next {
                    checkpoints.push((at as u32, chars, units));
                    next = at + CHECKPOINT;
                }
                // Editors hide a byte-order mark: not a column.
                if !(at == 0 && c == '\u{FEFF}') {
                    chars += 1;
                    units += c.len_utf16() as u32;
                }
            }
        }
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).map(|&s| s as usize)
    }

    /// The 0-based line holding byte `offset` (the last line past the end).
    pub fn line_of(&self, offset: usize) -> usize {
        match self
            .starts
            .binary_search(&u32::try_from(offset).unwrap_or(u32::MAX))
        {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Position of byte `offset` in `text`. Offsets inside a multi-byte character or
    /// past the end are clamped to the nearest preceding character boundary.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let line_start = self.starts[line] as usize;
        // Count from the nearest checkpoint of a long line, else from its start.
        let (from, chars, units) = match self
            .checkpoints
            .partition_point(|&(at, _, _)| at as usize <= offset)
            .checked_sub(1)
            .map(|i| self.checkpoints[i])
        {
            Some((at, chars, units)) if at as usize >= line_start => (at as usize, chars, units),
            _ => (line_start, 0, 0),
        };
        let mut line_text = &text[from..offset];
        if line == 0 && from == 0 {
            // Editors and code-scanning viewers hide a byte-order mark: not a column.
            line_text = line_text.strip_prefix('\u{FEFF}').unwrap_or(line_text);
        }
        let column = chars + line_text.chars().count() as u32 + 1;
        let utf16_column = units + line_text.chars().map(char::len_utf16).sum::<usize>() as u32 + 1;
        Position {
            line: line as u32 + 1,
            column,
            utf16_column,
        }
    }

    /// Byte offset of a 1-based line and 1-based code-point column (the inverse of
    /// [`LineIndex::position`]); `None` when out of range.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        let mut start = *self.starts.get(line.checked_sub(1)?)? as usize;
        if line == 1 && text.starts_with('\u{FEFF}') {
            start += '\u{FEFF}'.len_utf8();
        }
        let end = self.starts.get(line).map_or(text.len(), |&s| s as usize);
        let line_text = &text[start..end];
        let col = column.checked_sub(1)?;
        if col == line_text.chars().count() {
            return Some(end);
        }
        line_text.char_indices().nth(col).map(|(i, _)| start + i)
    }
}

/// One file of a scan, with its text and line index.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the walker found it (for reading and for messages).
    pub path: PathBuf,
    /// The path shown to users and written to reports: relative to the working
    /// directory when the file lies below it, with `/` separators.
    pub display: String,
    pub text: String,
    /// Built on first use: most files of a scan never have a position asked of them.
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, display: String, text: String) -> SourceFile {
        SourceFile {
            id,
            path,
            display,
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// The file's line index.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines().position(&self.text, offset)
    }

    /// The 0-based `line`: its start offset and its text without the line break.
    pub fn line(&self, line: usize) -> Option<(usize, &str)> {
        let start = self.lines().line_start(line)?;
        let end = self.lines().line_start(line + 1).unwrap_or(self.text.len());
        Some((start, self.text[start..end].trim_end_matches(['\n', '\r'])))
    }

    /// Start and end positions of a span.
    pub fn span_positions(&self, span: Span) -> (Position, Position) {
        (
            self.position(span.start as usize),
            self.position(span.end as usize),
        )
    }
}

/// All files of one scan, indexed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<Arc<SourceFile>>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, display: String, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files
            .push(Arc::new(SourceFile::new(id, path, display, text)));
        id
    }

    /// Adds an already-built file whose id must be the next one.
    pub fn push(&mut self, file: Arc<SourceFile>) {
        assert_eq!(
            file.id.0 as usize,
            self.files.len(),
            "file ids must be dense"
        );
        self.files.push(file);
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().map(AsRef::as_ref)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The one-character range at byte `offset` of `text`, moved back to a character
/// boundary (error positions from parsers may fall inside a multi-byte character or
/// past the end); empty at the end of the text.
pub fn char_range(text: &str, offset: usize) -> std::ops::Range<usize> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    offset..end
}

/// Reads a text file, refusing anything but a regular file (a FIFO would block
/// forever, a device never ends).
pub fn read_regular(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO, socket or device)",
        ));
    }
    std::fs::read_to_string(path)
}

/// An absolute, canonical path; for a path that does not exist (a stale baseline
/// entry's file, a deleted file), the working directory joined and `.`/`..`
/// removed lexically.
pub fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let joined = std::env::current_dir().unwrap_or_default().join(p);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The display form of `path`: relative to `base` when below it, `/`-separated.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        use std::path::Component;
        match part {
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(p) => {
                out.push_str(&p.as_os_str().to_string_lossy());
                continue;
            }
            _ => {}
        }
        if i > 0 && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_count_from_checkpoints_exactly() {
        // A one-line template with multi-byte characters, longer than several
        // checkpoints: every offset gives what counting from the line start gives.
        let mut text = String::from("\u{FEFF}x\n");
        for i in 0..5000 {
            text.push_str(if i % 7 == 0 { "é😀" } else { "ab" });
        }
        text.push_str("\nlast");
        let index = LineIndex::new(&text);
        assert!(!index.checkpoints.is_empty());
        let naive = |offset: usize| {
            let line = index.line_of(offset);
            let mut t = &text[index.starts[line] as usize..offset];
            if line == 0 {
                t = t.strip_prefix('\u{FEFF}').unwrap_or(t);
            }
            (
                line as u32 + 1,
                t.chars().count() as u32 + 1,
                t.chars().map(char::len_utf16).sum::<usize>() as u32 + 1,
            )
        };
        for (offset, _) in text.char_indices().step_by(13) {
            let p = index.position(&text, offset);
            assert_eq!(
                (p.line, p.column, p.utf16_column),
                naive(offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn positions_count_code_points_and_utf16_units() {
        let text = "ab\né😀x\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.position(text, 0),
            Position {
                line: 1,
                column: 1,
                utf16_column: 1
            }
        );
        // 'x' follows é (2 bytes, 1 unit) and 😀 (4 bytes, 2 units).
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.position(text, x),
            Position {
                line: 2,
                column: 3,
                utf16_column: 4
            }
        );
        // Inside the emoji clamps back to its start.
        assert_eq!(idx.position(text, x - 1).column, 2);
        // Past the end clamps to the end.
        assert_eq!(idx.position(text, 999).line, 3);
    }

    #[test]
    fn offset_inverts_position() {
        let text = "é😀x\nyz";
        let idx = LineIndex::new(text);
        for (off, _) in text.char_indices() {
            let p = idx.position(text, off);
            assert_eq!(
                idx.offset(text, p.line as usize, p.column as usize),
                Some(off)
            );
        }
        assert_eq!(idx.offset(text, 3, 1), None);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{FEFF}ab\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 3).column, 1);
        assert_eq!(idx.offset(text, 1, 1), Some(3));
        assert_eq!(idx.offset(text, 1, 2), Some(4));
    }

    #[test]
    fn display_paths_are_relative_and_slashed() {
        let base = Path::new("/repo");
        assert_eq!(display_path(Path::new("/repo/a/b.tf"), base), "a/b.tf");
        assert_eq!(display_path(Path::new("/other/x.tf"), base), "/other/x.tf");
        assert_eq!(display_path(Path::new("./a/b.tf"), Path::new("")), "a/b.tf");
    }
}

/// Where a span starts, for people and reports: the file as shown, 1-based line and
/// column (characters).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

/// `path:line:column`.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

impl Sources {
    pub fn location(&self, span: Span) -> Location {
        let file = self.get(span.file);
        let p = file.position(span.start as usize);
        Location {
            path: file.display.clone(),
            line: p.line,
            column: p.column,
        }
    }
}
