//! Paged lists as one `Stream` of items.
//!
//! The operations that page (June 2026: `OrganizationGovernanceAccessList`,
//! `UpgradePipelineStepList`) take `cursor` and `limit` and answer the page
//! with `next` (absent on the last page). [`paginate`] turns any such call
//! into a stream that fetches the next page only when the consumer gets
//! there; each page is one call with the client's retries, and a page's
//! error ends the stream with that error. The server decides how many
//! pages there are, so every loop it could spin is bounded: a cursor it
//! already gave (a loop), [`MAX_EMPTY_PAGES`] empty pages in a row each with
//! a new cursor, more than [`MAX_PAGES`] pages, or a cursor longer than
//! [`MAX_CURSOR_LEN`] end the stream with an error (the cursor in it cut
//! like any server text) rather than polling forever.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::future::Future;
use std::hash::{Hash, Hasher};

use aiven_api::operations as ops;
use aiven_api::types;
use aiven_api::Operation;
use futures::stream::{self, Stream, TryStreamExt};

use crate::{validate, AivenClient, Error, Result};

/// One page: its items and the cursor of the next page, if any.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// `next` as the API gives it: a cursor, or a URL whose `cursor` query
    /// parameter is one; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items` followed by `next`.
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Self { items, next }
    }
}

/// Empty pages in a row, each with a new cursor, after which a listing is
/// taken to spin (a real API ends or sends items well before).
pub const MAX_EMPTY_PAGES: usize = 3;
/// Pages one listing may take.
pub const MAX_PAGES: usize = 10_000;
/// The longest cursor followed, in bytes (it goes into the next URL).
pub const MAX_CURSOR_LEN: usize = 4096;

/// The cursor in `next`: the `cursor` parameter of a URL, else `next` itself.
fn cursor_of(next: &str) -> String {
    reqwest::Url::parse(next)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_else(|| next.to_owned())
}

/// Every item of every page, in order: `fetch(None)` is the first page,
/// `fetch(Some(cursor))` the following ones.
pub fn paginate<'a, T, F, Fut>(
    operation: &'static Operation,
    mut fetch: F,
) -> impl Stream<Item = Result<T>> + 'a
where
    T: 'a,
    F: FnMut(Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>>> + 'a,
{
    struct State {
        cursor: Option<String>,
        /// Hashes of the cursors given so far (a cursor may be long).
        seen: HashSet<u64>,
        pages: usize,
        empty_in_a_row: usize,
        done: bool,
    }
    let start = State {
        cursor: None,
        seen: HashSet::new(),
        pages: 0,
        empty_in_a_row: 0,
        done: false,
    };
    let spins = move |reason: String| Error::InvalidResponse {
        status: None,
        reason: crate::retry::truncate(&reason),
        body: String::new(),
        operation: Some(operation),
    };
    stream::try_unfold(start, move |mut state| {
        let page = (!state.done).then(|| fetch(state.cursor.clone()));
        async move {
            let Some(page) = page else { return Ok(None) };
            let page = page.await?;
            state.pages += 1;
            state.empty_in_a_row = if page.items.is_empty() {
                state.empty_in_a_row + 1
            } else {
                0
            };
            match page.next.as_deref().map(cursor_of) {
                Some(next) if next.len() > MAX_CURSOR_LEN => {
                    return Err(spins(format!(
                        "the next page's cursor is {} bytes, more than {MAX_CURSOR_LEN}: {next}",
                        next.len()
                    )));
                }
                Some(next) if !state.seen.insert(hash(&next)) => {
                    return Err(spins(format!(
                        "the pages loop: cursor {next:?} was given twice"
                    )));
                }
                Some(_) if state.empty_in_a_row >= MAX_EMPTY_PAGES => {
                    return Err(spins(format!(
                        "{MAX_EMPTY_PAGES} empty pages in a row, each with a new cursor"
                    )));
                }
                Some(_) if state.pages >= MAX_PAGES => {
                    return Err(spins(format!("more than {MAX_PAGES} pages")));
                }
                Some(next) => state.cursor = Some(next),
                None => state.done = true,
            }
            Ok(Some((stream::iter(page.items.into_iter().map(Ok)), state)))
        }
    })
    .try_flatten()
}

fn hash(cursor: &str) -> u64 {
    let mut h = DefaultHasher::new();
    cursor.hash(&mut h);
    h.finish()
}

impl AivenClient {
    /// The steps of an organization's upgrade pipelines, every page, `limit`
    /// per request.
    pub fn upgrade_pipeline_steps<'a>(
        &'a self,
        organization_id: &'a str,
        limit: u32,
    ) -> impl Stream<Item = Result<types::UpgradePipelineStepCreateResponse>> + 'a {
        let op = ops::UPGRADE_PIPELINE_STEP_LIST;
        let mut checked = Some(validate::path_segment(
            "organization_id",
            organization_id,
            36,
        ));
        let pages = paginate(op, move |cursor| {
            // Checked before the first page only.
            let checked = checked.take().unwrap_or(Ok(()));
            async move {
                checked?;
                let mut call = self
                    .upgrade_pipeline_step_list()
                    .organization_id(organization_id)
                    .limit(i64::from(limit));
                if let Some(cursor) = cursor {
                    call = call.cursor(cursor);
                }
                let page = call.send().await.map_err(Error::during(op))?.into_inner();
                Ok(Page::new(page.steps.unwrap_or_default(), page.next))
            }
        });
        pages
    }

    /// Who has access to what in an organization (governance), every page,
    /// `limit` per request.
    pub fn governance_access<'a>(
        &'a self,
        organization_id: &'a str,
        limit: u32,
    ) -> impl Stream<Item = Result<types::Access>> + 'a {
        let op = ops::ORGANIZATION_GOVERNANCE_ACCESS_LIST;
        let mut checked = Some(validate::path_segment(
            "organization_id",
            organization_id,
            36,
        ));
        paginate(op, move |cursor| {
            // Checked before the first page only.
            let checked = checked.take().unwrap_or(Ok(()));
            async move {
                checked?;
                let mut call = self
                    .organization_governance_access_list()
                    .organization_id(organization_id)
                    .limit(i64::from(limit));
                if let Some(cursor) = cursor {
                    call = call.cursor(cursor);
                }
                let page = call.send().await.map_err(Error::during(op))?.into_inner();
                Ok(Page::new(page.access.unwrap_or_default(), page.next))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_is_read_from_a_next_url_or_taken_as_is() {
        assert_eq!(
            cursor_of(
                "https://api.aiven.io/v1/organization/o/governance/access?cursor=abc%3D&limit=2"
            ),
            "abc="
        );
        assert_eq!(cursor_of("opaque-123"), "opaque-123");
    }
}
