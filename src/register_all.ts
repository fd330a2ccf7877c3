/**
 * @module The single side-effect module: importing it registers every component of detkit.
 */
import './nn/index.js';
import './engine/index.js';
import './data/index.js';
import './models/index.js';
import './evaluation/index.js';
import './apis/index.js';
