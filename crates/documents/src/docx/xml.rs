//! Namespaces and the small XML helpers the readers share: which namespace
//! an element is in, attribute values, prefixes and XML errors.

use quick_xml::events::BytesStart;
use quick_xml::name::{Namespace, ResolveResult};

use crate::DocumentError;

pub(super) const W_NS: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const W_STRICT_NS: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";

const MC_NS: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";

pub(super) fn is_w(ns: &ResolveResult) -> bool {
    matches!(ns, ResolveResult::Bound(Namespace(uri)) if *uri == W_NS || *uri == W_STRICT_NS)
}

pub(super) fn is_mc(ns: &ResolveResult) -> bool {
    matches!(ns, ResolveResult::Bound(Namespace(uri)) if *uri == MC_NS)
}

/// The value of the attribute whose local name is `val`.
pub(super) fn val(element: &BytesStart) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == b"val")
        .map(|attribute| String::from_utf8_lossy(&attribute.value).into_owned())
}

pub(super) fn val_of(element: &BytesStart, local: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

pub(super) fn prefix_of(element: &BytesStart) -> String {
    match element.name().prefix() {
        Some(prefix) => format!("{}:", String::from_utf8_lossy(prefix.as_ref())),
        None => String::new(),
    }
}

pub(super) fn xml_error(
    entry: &str,
    position: u64,
    error: impl std::fmt::Display,
) -> DocumentError {
    DocumentError::Xml {
        entry: entry.to_owned(),
        position,
        message: error.to_string(),
    }
}
