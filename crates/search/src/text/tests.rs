//! Behaviour of the text index on documents written here. The filter agreement test is in
//! `filter_agreement.rs`; the real-data measurement is in the lab
//! (`crates/lab/tests/text_index_measure.rs`).

mod filter_agreement;

use super::*;
use crate::{DocMeta, SkillRef};

const NOW: i64 = 1_800_000_000;

pub(super) fn doc(id: DocId, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id,
        title: title.to_owned(),
        other_titles: Vec::new(),
        skills: Vec::new(),
        body: body.to_owned(),
        company: None,
        meta: DocMeta {
            updated_at: NOW,
            ..DocMeta::default()
        },
    }
}

fn index_of(docs: &[SearchDoc]) -> TextIndex {
    let index = TextIndex::in_memory(Collection::Jobs).expect("index");
    index.upsert(docs).expect("upsert");
    index.commit().expect("commit");
    index
}

fn ids(index: &TextIndex, query: &TextQuery) -> Vec<DocId> {
    index
        .search(query, &SearchFilters::default(), NOW, 100)
        .expect("search")
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn text(q: &str) -> TextQuery {
    TextQuery::new(q)
}

#[test]
fn a_title_match_outranks_a_body_only_match() {
    let index = index_of(&[
        doc(
            1,
            "Warehouse operative",
            "We also need a rust engineer later.",
        ),
        doc(2, "Rust engineer", "Build services."),
        doc(3, "Gardener", "Plants."),
    ]);
    assert_eq!(ids(&index, &text("rust engineer")), vec![2, 1]);
}

#[test]
fn stemming_matches_other_forms_of_a_word() {
    let index = index_of(&[
        doc(1, "Senior developer", "Develop things."),
        doc(2, "Nurse", "Care."),
    ]);
    assert_eq!(ids(&index, &text("developers")), vec![1]);
    assert_eq!(ids(&index, &text("Developing")), vec![1]);
}

#[test]
fn typos_in_longer_words_still_match_and_exact_matches_rank_first() {
    let index = index_of(&[
        doc(1, "Platform engineer", "Run kubernetes clusters."),
        doc(2, "Platform engineer", "Run kubernetis clusters."),
        doc(3, "Platform engineer", "Run docker hosts."),
    ]);
    assert_eq!(ids(&index, &text("kubernetes")), vec![1, 2]);
    for typo in ["kubernets", "kuberentes", "kubrnetes"] {
        let found = ids(&index, &text(typo));
        assert!(
            found.contains(&1) && !found.contains(&3),
            "{typo}: {found:?}"
        );
    }
    let exact_only = TextQuery {
        fuzzy: false,
        ..text("kuberentes")
    };
    assert!(ids(&index, &exact_only).is_empty());
}

#[test]
fn short_words_are_not_fuzzy() {
    let index = index_of(&[doc(1, "Java developer", ""), doc(2, "Lava lamp seller", "")]);
    assert_eq!(ids(&index, &text("java")), vec![1]);
}

#[test]
fn skill_uris_match_documents_that_do_not_use_the_query_word() {
    const K8S: &str = "intellicv:tech/kubernetes";
    let mut with_skill = doc(1, "Platform engineer", "Container orchestration.");
    with_skill.skills = vec![SkillRef {
        uri: K8S.into(),
        label: "Kubernetes".into(),
    }];
    with_skill.meta.skill_uris = vec![K8S.into()];
    let index = index_of(&[
        with_skill,
        doc(2, "Platform engineer", "We say k8s a lot."),
        doc(3, "Platform engineer", "Nothing."),
    ]);
    let plain = text("k8s");
    assert_eq!(ids(&index, &plain), vec![2]);
    let expanded = TextQuery {
        skill_uris: vec![K8S.into()],
        ..plain
    };
    let found = ids(&index, &expanded);
    assert_eq!(found.len(), 2);
    assert!(found.contains(&1) && found.contains(&2));
}

#[test]
fn technology_names_with_symbols_are_distinct_words() {
    let index = index_of(&[
        doc(1, "C++ developer", ""),
        doc(2, "C# developer", ""),
        doc(3, ".NET developer", ""),
        doc(4, "C developer", ""),
    ]);
    assert_eq!(ids(&index, &text("C++")), vec![1]);
    assert_eq!(ids(&index, &text("c#")), vec![2]);
    assert_eq!(ids(&index, &text(".net")), vec![3]);
}

#[test]
fn any_user_text_is_a_valid_query() {
    let index = index_of(&[doc(1, "Rust developer", "Remote.")]);
    for q in [
        r#"title:rust"#,
        r#""unbalanced"#,
        r#"((rust]"#,
        "C++ && C# || .NET!",
        "🦀🦀 rust 😀",
        r#"-rust +rust ~2 ^3 * ? \ / { } [ ]"#,
        "\u{0}\u{202e}",
        "AND OR NOT",
        &"x ".repeat(5000),
    ] {
        assert!(
            index
                .search(&text(q), &SearchFilters::default(), NOW, 10)
                .is_ok(),
            "{q:?}"
        );
    }
    assert_eq!(ids(&index, &text("title:rust")), vec![1]);
}

#[test]
fn a_quoted_phrase_must_appear_as_a_phrase() {
    let index = index_of(&[
        doc(1, "Engineer", "Machine learning for search."),
        doc(2, "Engineer", "Learning about the machine."),
    ]);
    assert_eq!(ids(&index, &text(r#""machine learning""#)), vec![1]);
    assert_eq!(ids(&index, &text("machine learning")).len(), 2);
}

#[test]
fn no_words_lists_filtered_documents_newest_first_then_by_id() {
    let mut docs: Vec<SearchDoc> = (1..=5).map(|i| doc(i, "Job", "")).collect();
    docs[0].meta.posted_at = Some(NOW - 100);
    docs[1].meta.posted_at = Some(NOW);
    docs[2].meta.posted_at = None;
    docs[3].meta.posted_at = Some(NOW - 100);
    docs[4].meta.posted_at = Some(NOW - 50);
    let index = index_of(&docs);
    for q in ["", "   ", "🦀 !!"] {
        let hits = index
            .search(&text(q), &SearchFilters::default(), NOW, 10)
            .expect("search");
        let ids: Vec<DocId> = hits.iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![2, 5, 1, 4, 3], "{q:?}");
    }
    let limited = index
        .search(&text(""), &SearchFilters::default(), NOW, 2)
        .expect("search");
    assert_eq!(limited.len(), 2);
}

#[test]
fn a_committed_document_is_searchable_at_once_and_deleting_removes_it() {
    let index = index_of(&[doc(1, "Baker", "Bread.")]);
    index
        .upsert(&[doc(2, "Astronaut", "Space.")])
        .expect("upsert");
    assert!(ids(&index, &text("astronaut")).is_empty(), "before commit");
    index.commit().expect("commit");
    assert_eq!(ids(&index, &text("astronaut")), vec![2]);
    index.delete(&[2, 99]).expect("delete");
    index.commit().expect("commit");
    assert!(ids(&index, &text("astronaut")).is_empty());
    assert_eq!(index.doc_ids().expect("ids"), vec![1]);
}

#[test]
fn upserting_an_existing_id_replaces_it() {
    let index = index_of(&[doc(1, "Baker", "Bread."), doc(2, "Cook", "Soup.")]);
    index
        .upsert(&[
            doc(1, "Pastry chef", "Cakes."),
            doc(1, "Pastry chef", "Tarts."),
        ])
        .expect("upsert");
    index.commit().expect("commit");
    assert_eq!(index.num_docs(), 2);
    assert!(ids(&index, &text("baker")).is_empty());
    assert!(
        ids(&index, &text("cakes")).is_empty(),
        "the later copy wins"
    );
    assert_eq!(ids(&index, &text("pastry")), vec![1]);
    assert_eq!(index.doc_ids().expect("ids"), vec![1, 2]);
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let body = format!(
        "{} Our stack: we write Rust <b>daily</b> & \"TypeScript\" too. {}",
        "Intro text. ".repeat(30),
        "Outro text. ".repeat(30)
    );
    let index = index_of(&[
        doc(
            7,
            "<script>alert(1)</script> Rust developer (remote)",
            &body,
        ),
        doc(8, "Gardener", "Plants."),
    ]);
    let h = index
        .highlights(&text("rust developers"), &[7, 8, 404])
        .expect("highlights");
    assert_eq!(h.len(), 2);
    let seven = &h[&7];
    assert_eq!(
        seven.title.as_deref(),
        Some("&lt;script&gt;alert(1)&lt;/script&gt; <em>Rust</em> <em>developer</em> (remote)")
    );
    let body = seven.body.as_deref().expect("body snippet");
    assert!(body.contains("<em>Rust</em>"), "{body}");
    assert!(body.contains("<em>Rust</em> &lt;b&gt;daily"), "{body}");
    assert!(!body.contains("<b>"), "{body}");
    assert!(body.chars().count() < 300, "{body}");
    assert_eq!(h[&8], Highlights::default());
}

#[test]
fn snippets_highlight_typo_matches() {
    let index = index_of(&[doc(1, "Kubernetes administrator", "We run Kubernetes.")]);
    let h = index
        .highlights(&text("kuberentes"), &[1])
        .expect("highlights");
    assert_eq!(
        h[&1].title.as_deref(),
        Some("<em>Kubernetes</em> administrator")
    );
}

#[test]
fn an_index_persists_across_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("jobs");
    {
        let index = TextIndex::open_or_create(&path, Collection::Jobs).expect("create");
        index
            .upsert(&[doc(1, "Baker", "Bread."), doc(2, "Cook", "Soup.")])
            .expect("upsert");
        index.commit().expect("commit");
    }
    let index = TextIndex::open_or_create(&path, Collection::Jobs).expect("reopen");
    assert_eq!(index.num_docs(), 2);
    assert_eq!(ids(&index, &text("bread")), vec![1]);
    index.delete(&[1]).expect("delete");
    index.commit().expect("commit");
    drop(index);
    let index = TextIndex::open_or_create(&path, Collection::Jobs).expect("reopen");
    assert_eq!(index.doc_ids().expect("ids"), vec![2]);
}

#[test]
fn an_index_with_another_schema_or_collection_is_refused_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path();
    drop(TextIndex::open_or_create(path, Collection::Jobs).expect("create"));
    let err = TextIndex::open_or_create(path, Collection::Resumes)
        .err()
        .expect("wrong collection");
    assert!(matches!(err, SearchError::Corrupt { .. }), "{err}");

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    let mut b = Schema::builder();
    b.add_i64_field("id", tantivy::schema::INDEXED);
    b.add_text_field("title", tantivy::schema::TEXT);
    Index::create_in_dir(&other, b.build()).expect("old index");
    std::fs::write(
        other.join(MARKER_FILE),
        r#"{"format":1,"collection":"jobs"}"#,
    )
    .expect("marker");
    let err = TextIndex::open_or_create(&other, Collection::Jobs)
        .err()
        .expect("old schema");
    match err {
        SearchError::Corrupt { reason, .. } => assert!(reason.contains("schema"), "{reason}"),
        other => panic!("{other}"),
    }
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TextIndex>();
}
