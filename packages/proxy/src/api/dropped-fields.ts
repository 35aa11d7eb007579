/** The response header that names the request fields a backend did not get (hints, unknown fields). */
export const DROPPED_FIELDS_HEADER = 'x-mlx-gateway-dropped-fields';
