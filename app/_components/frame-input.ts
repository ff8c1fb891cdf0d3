/** The cells list's input that asks no cell: the frame (every mapping) of every page that reads the cells. Shared by server and client components. */
export const FRAME_INPUT: { cellUuids: string[] } = { cellUuids: [] };
