//! Writing an export file.

use serde::Serialize;
use serde_json::Value;

use super::rows::{ApplicationRow, JobRow, ResumeRow, UserRow};
use super::{Entity, Format, TransferError};
use intellicv_core::ValidationError;
use intellicv_store::Store;

/// The chosen entities (all when empty) as one file. CSV takes exactly one tabular
/// entity. The whole file is built in memory.
pub async fn export(
    store: &Store,
    entities: &[Entity],
    format: Format,
) -> Result<Vec<u8>, TransferError> {
    let mut chosen: Vec<Entity> = if entities.is_empty() {
        Entity::ALL.to_vec()
    } else {
        entities.to_vec()
    };
    chosen.sort();
    chosen.dedup();
    if format == Format::Csv {
        return match chosen.as_slice() {
            [one] if one.is_tabular() => csv_of(store, *one).await,
            _ => Err(ValidationError::new(
                "entities",
                "CSV exports exactly one of users, jobs, applications",
            )
            .into()),
        };
    }
    let mut out = Vec::new();
    for entity in chosen {
        match entity {
            Entity::User => lines(
                &mut out,
                entity,
                rows::<UserRow, _>(store.export_users().await?),
            )?,
            Entity::Resume => {
                lines(
                    &mut out,
                    entity,
                    rows::<ResumeRow, _>(store.export_resumes().await?),
                )?;
            }
            Entity::Job => lines(
                &mut out,
                entity,
                rows::<JobRow, _>(store.export_jobs().await?),
            )?,
            Entity::Application => lines(
                &mut out,
                entity,
                rows::<ApplicationRow, _>(store.export_applications().await?),
            )?,
        }
    }
    Ok(out)
}

fn rows<R: From<T>, T>(records: Vec<T>) -> Vec<R> {
    records.into_iter().map(R::from).collect()
}

fn write_error(e: impl std::fmt::Display) -> TransferError {
    TransferError::Write(e.to_string())
}

/// One JSON object per row, with its `type`.
fn lines<R: Serialize>(
    out: &mut Vec<u8>,
    entity: Entity,
    rows: Vec<R>,
) -> Result<(), TransferError> {
    for row in rows {
        let mut value = serde_json::to_value(&row).map_err(write_error)?;
        if let Value::Object(map) = &mut value {
            map.insert("type".to_owned(), Value::from(entity.as_str()));
        }
        serde_json::to_writer(&mut *out, &value).map_err(write_error)?;
        out.push(b'\n');
    }
    Ok(())
}

async fn csv_of(store: &Store, entity: Entity) -> Result<Vec<u8>, TransferError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    match entity {
        Entity::User => table(&mut writer, rows::<UserRow, _>(store.export_users().await?))?,
        Entity::Job => table(&mut writer, rows::<JobRow, _>(store.export_jobs().await?))?,
        Entity::Application => table(
            &mut writer,
            rows::<ApplicationRow, _>(store.export_applications().await?),
        )?,
        Entity::Resume => unreachable!("resumes have no CSV form (checked by the caller)"),
    }
    writer.into_inner().map_err(write_error)
}

fn table<R: Serialize>(
    writer: &mut csv::Writer<Vec<u8>>,
    rows: Vec<R>,
) -> Result<(), TransferError> {
    for row in rows {
        writer.serialize(row).map_err(write_error)?;
    }
    writer.flush().map_err(write_error)
}
