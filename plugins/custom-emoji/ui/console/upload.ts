/**
 * Uploads a pack with XMLHttpRequest, which (unlike fetch) reports upload progress: the bytes sent,
 * then a "processing" phase while the server checks the images. The server answers in `locale`.
 */
export type UploadPhase = 'sending' | 'processing';

export interface UploadAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

export interface PackUploadOptions {
  file: File;
  name: string;
  locale: string;
  onProgress(phase: UploadPhase, sent: number, total: number): void;
}

export const UPLOAD_URL = '/api/custom-emoji/packs';

export function uploadPack(opts: PackUploadOptions): { done: Promise<UploadAnswer>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  // The name goes first so the server has it before the zip streams in.
  if (opts.name) form.append('name', opts.name);
  form.append('file', opts.file, opts.file.name);
  const done = new Promise<UploadAnswer>((resolve, reject) => {
    xhr.upload.onprogress = (e) => opts.onProgress('sending', e.loaded, e.lengthComputable ? e.total : opts.file.size);
    xhr.upload.onload = () => opts.onProgress('processing', opts.file.size, opts.file.size);
    xhr.onload = () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.onabort = () => reject(new Error('aborted'));
  });
  xhr.open('POST', UPLOAD_URL);
  xhr.setRequestHeader('accept', 'application/json');
  xhr.setRequestHeader('accept-language', opts.locale);
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
