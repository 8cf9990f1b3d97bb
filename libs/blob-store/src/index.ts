export { BLOB_ERROR_CODES, BlobTooLargeError, type BlobStore, type StoredBlob } from './blob-store.port';
export { FsBlobStore } from './fs-blob-store';
export { deadLetterWithBlob } from './provider-dead-letter';
