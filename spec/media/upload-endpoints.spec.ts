import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_LAYOUT, UPLOAD_ENDPOINTS, uploadLayoutOf } from '../../lib/media/index.js';

describe('upload endpoint layouts', () => {
  it('finds a layout by template, with or without a leading slash or a host alias', () => {
    expect(uploadLayoutOf('v3/merchant/media/upload')).toBe(DEFAULT_MEDIA_LAYOUT);
    expect(uploadLayoutOf('/v3/merchant/media/video_upload')).toBe(DEFAULT_MEDIA_LAYOUT);
    expect(uploadLayoutOf('hk/v3/merchant/media/upload')).toBe(DEFAULT_MEDIA_LAYOUT);
    expect(uploadLayoutOf('v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload')).toMatchObject({ field: 'submission_file', digestKey: 'file_digest' });
    expect(uploadLayoutOf('v3/pay/transactions/native')).toBeUndefined();
  });

  it('is frozen, so no caller changes another one\'s uploads', () => {
    expect(Object.isFrozen(UPLOAD_ENDPOINTS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MEDIA_LAYOUT)).toBe(true);
  });
});
