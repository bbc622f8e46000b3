// The Electron fuses the packaged app is built with (electron-builder.yml's electronFuses, flipped in the
// binary before signing). Kept here as data so a test holds the config file to it.
export const FUSES = {
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node.js.
  runAsNode: false,
  enableCookieEncryption: true,
  // NODE_OPTIONS and --inspect would let anyone who can start the app run code in it.
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  // The app's code is the asar that was signed, and only that.
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // file:// gets no more than any other scheme: the renderer is served from app://.
  grantFileProtocolExtraPrivileges: false,
} as const;
