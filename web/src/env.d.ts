/// <reference types="vite/client" />
/** Vite imports of stylesheets. */
declare module "*.css";
