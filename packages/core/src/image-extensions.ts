/**
 * The image files ugp reads (with sharp), by lower-case extension. BMP is not among them: sharp's
 * prebuilt libvips cannot decode it.
 */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
];
