/**
 * How a HAR stream's end begins. A HAR does not record when each event arrived, so the import gives
 * its events the response time: the time from them to the end is not known to be silent, which the
 * doctor's silence checks must know. Its own module so the doctor does not pull in the importer.
 */
export const FROM_HAR = 'imported from HAR: ';
